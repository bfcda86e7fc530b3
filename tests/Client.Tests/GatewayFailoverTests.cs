using Thresher.Client.Cluster;

namespace Thresher.Client.Tests;

/// <summary>The CLI's small calls: one that hangs (sent to a gateway just killed) is asked again after its deadline; one that never answers ends in exit 3's exception.</summary>
public sealed class GatewayFailoverTests
{
    [Fact]
    public async Task A_call_that_hangs_is_asked_again_after_its_deadline_and_the_next_answer_returns()
    {
        int calls = 0;
        var hung = new TaskCompletionSource<int>(); // never completes: the reply of a dead gateway
        Task<int> Call() => ++calls == 1 ? hung.Task : Task.FromResult(42);

        int answer = await GatewayFailover.CallAsync(Call, "status", TimeSpan.FromMilliseconds(200), TimeSpan.FromSeconds(30));

        Assert.Equal(42, answer);
        Assert.Equal(2, calls);
    }

    [Fact]
    public async Task Calls_that_keep_failing_in_orleans_end_as_an_unreachable_cluster_after_the_limit()
    {
        int calls = 0;
        Task<int> Call()
        {
            calls++;
            throw new Orleans.Runtime.Messaging.ConnectionFailedException("gateway 127.0.0.1:30000 is gone");
        }

        var e = await Assert.ThrowsAsync<ClusterUnreachableException>(() => GatewayFailover.CallAsync(Call, "run 'r': cancel", TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1.2)));

        Assert.StartsWith("run 'r': cancel: no gateway answered for 1 s (ConnectionFailedException", e.Message, StringComparison.Ordinal);
        Assert.InRange(calls, 2, 4);
    }

    [Fact]
    public async Task An_answer_of_the_cluster_is_not_a_gateway_loss_and_is_not_asked_again()
    {
        int calls = 0;
        Task<int> Call()
        {
            calls++;
            throw new ThresherInputException("no such run");
        }

        await Assert.ThrowsAsync<ThresherInputException>(() => GatewayFailover.CallAsync(Call, "status"));
        Assert.Equal(1, calls);
    }
}
