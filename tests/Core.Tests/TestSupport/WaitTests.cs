namespace Thresher.Core.Tests.TestSupport;

/// <summary>The shared wait helper (tests/TestSupport/Wait.cs) itself: it returns when the condition holds and fails clearly when not.</summary>
public sealed class WaitTests
{
    static readonly TimeSpan Short = TimeSpan.FromMilliseconds(100);

    [Fact]
    public async Task Until_returns_once_the_condition_holds()
    {
        int polls = 0;
        await Wait.Until(() => ++polls == 3, TimeSpan.FromSeconds(10), "the third poll");
        Assert.Equal(3, polls);
    }

    [Fact]
    public async Task Until_times_out_naming_what_it_waited_for_and_the_last_answer()
    {
        var e = await Assert.ThrowsAsync<WaitTimeoutException>(() =>
            Wait.For(() => Task.FromResult(41), v => v == 42, Short, "the answer", v => $"answer {v}"));
        Assert.Contains("for the answer", e.Message, StringComparison.Ordinal);
        Assert.Contains("last seen: answer 41", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Exceptions_fail_the_wait_unless_they_are_to_be_retried()
    {
        int calls = 0;
        Task<bool> FailTwice() => ++calls <= 2 ? throw new TimeoutException($"call {calls}") : Task.FromResult(true);
        await Wait.Until(FailTwice, TimeSpan.FromSeconds(10), "a third call", retryOn: e => e is TimeoutException);
        Assert.Equal(3, calls);

        await Assert.ThrowsAsync<InvalidOperationException>(() =>
            Wait.Until(() => throw new InvalidOperationException("not retried"), TimeSpan.FromSeconds(10), "nothing"));
        var e = await Assert.ThrowsAsync<WaitTimeoutException>(() =>
            Wait.Until(() => throw new TimeoutException("silo gone"), Short, "a dead silo", retryOn: _ => true));
        Assert.Contains("TimeoutException: silo gone", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Holds_passes_while_the_condition_holds_and_fails_when_it_stops()
    {
        await Wait.Holds(() => Task.FromResult(true), Short, "true");
        int polls = 0;
        var e = await Assert.ThrowsAsync<WaitConditionBrokenException>(() =>
            Wait.Holds(() => Task.FromResult(++polls < 3), TimeSpan.FromSeconds(10), "fewer than three polls"));
        Assert.Contains("expected fewer than three polls", e.Message, StringComparison.Ordinal);
        Assert.Equal(3, polls);
    }
}
