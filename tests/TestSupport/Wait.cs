using System.Diagnostics;

namespace Thresher.TestSupport;

/// <summary>
/// The one way tests wait for something that happens elsewhere (a grain, a silo process, a timer): poll a
/// condition every <see cref="PollInterval"/> until it holds, and fail with what was awaited, for how long and
/// the last thing seen when it does not within the timeout. No test sleeps for a guessed time instead.
/// Linked into every test project (tests/TestSupport/Wait.cs).
/// </summary>
public static class Wait
{
    /// <summary>How often a condition is asked again.</summary>
    public static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(20);

    /// <summary>Waits until <paramref name="condition"/> holds; throws <see cref="WaitTimeoutException"/> after <paramref name="timeout"/>.</summary>
    public static Task Until(Func<bool> condition, TimeSpan timeout, string what)
        => Until(() => Task.FromResult(condition()), timeout, what);

    /// <summary>
    /// Waits until <paramref name="condition"/> holds. Exceptions it throws fail the wait at once, except those
    /// <paramref name="retryOn"/> accepts (e.g. calls into a cluster whose silo just died), which are asked again
    /// and named in the timeout message when they were the last answer.
    /// </summary>
    public static async Task Until(Func<Task<bool>> condition, TimeSpan timeout, string what, Func<Exception, bool>? retryOn = null)
        => await For(condition, done => done, timeout, what, retryOn: retryOn);

    /// <summary>
    /// Asks <paramref name="probe"/> until <paramref name="done"/> accepts its answer, and returns that answer.
    /// The timeout message shows the last answer through <paramref name="describe"/> (its ToString() without).
    /// </summary>
    public static async Task<T> For<T>(Func<Task<T>> probe, Func<T, bool> done, TimeSpan timeout, string what,
        Func<T, string>? describe = null, Func<Exception, bool>? retryOn = null)
    {
        var clock = Stopwatch.StartNew();
        string last = "nothing yet";
        while (true)
        {
            try
            {
                T value = await probe();
                if (done(value)) return value;
                last = describe?.Invoke(value) ?? value?.ToString() ?? "null";
            }
            catch (Exception e) when (retryOn?.Invoke(e) == true)
            {
                last = $"{e.GetType().Name}: {e.Message}";
            }
            if (clock.Elapsed > timeout) throw new WaitTimeoutException(what, timeout, last);
            await Task.Delay(PollInterval);
        }
    }

    /// <summary>
    /// Checks that <paramref name="condition"/> holds at every poll for <paramref name="duration"/> (nothing that
    /// must not happen happens meanwhile); throws at the first poll where it does not.
    /// </summary>
    public static async Task Holds(Func<Task<bool>> condition, TimeSpan duration, string what)
    {
        var clock = Stopwatch.StartNew();
        do
        {
            if (!await condition())
                throw new WaitConditionBrokenException($"expected {what} for {duration.TotalSeconds:0.###} s, but it stopped holding after {clock.Elapsed.TotalSeconds:0.###} s");
            await Task.Delay(PollInterval);
        }
        while (clock.Elapsed < duration);
        if (!await condition())
            throw new WaitConditionBrokenException($"expected {what} for {duration.TotalSeconds:0.###} s, but it did not hold at the end");
    }
}

/// <summary>A <see cref="Wait"/> whose condition did not come true in time.</summary>
public sealed class WaitTimeoutException(string what, TimeSpan timeout, string last)
    : TimeoutException($"waited {timeout.TotalSeconds:0.###} s for {what}; last seen: {last}");

/// <summary>A <see cref="Wait.Holds"/> whose condition stopped holding.</summary>
public sealed class WaitConditionBrokenException(string message) : Exception(message);
