namespace Thresher.Client.Cluster;

/// <summary>
/// The client's small calls (status, a page of history, the run list, cancel) fail over in seconds when their gateway
/// dies. A call sent to a gateway just before its silo was killed gets no answer, and Orleans fails it only after the
/// client's response timeout (30 s); a call to a gateway whose connection dropped fails at once. So each call has a
/// deadline of its own (<see cref="CallTimeout"/>), and a call that fails in Orleans or misses its deadline is asked
/// again after <see cref="RetryDelay"/> — by then the Orleans client has found the dead gateway's connection closed
/// and sends it through another gateway of the list — until <see cref="Limit"/>, then
/// <see cref="ClusterUnreachableException"/> (exit 3). Only for calls that may be repeated: these read, and cancel
/// is idempotent (a run already cancelled answers its status).
/// </summary>
public static class GatewayFailover
{
    /// <summary>A healthy small call takes milliseconds, a few hundred on a loaded machine: 5 s means the gateway is gone or hung.</summary>
    public static readonly TimeSpan CallTimeout = TimeSpan.FromSeconds(5);

    /// <summary>Cancel answers once the cancellation is stored, after up to 15 s of a storage outage (RunGrain.Cancel): its deadline is beyond that.</summary>
    public static readonly TimeSpan CancelTimeout = TimeSpan.FromSeconds(20);

    public static readonly TimeSpan RetryDelay = TimeSpan.FromMilliseconds(500);

    /// <summary>How long a command keeps asking before it says the cluster is unreachable.</summary>
    public static readonly TimeSpan Limit = TimeSpan.FromSeconds(60);

    /// <summary>A failure of the way to the cluster (gateway dead, hung, or connection dropped), not an answer of the cluster's.</summary>
    public static bool IsGatewayLoss(Exception e) => e is OrleansException or TimeoutException;

    /// <summary><paramref name="call"/> with a deadline of <see cref="CallTimeout"/>, asked again on a gateway loss until <see cref="Limit"/>.</summary>
    public static Task<T> CallAsync<T>(Func<Task<T>> call, string what, CancellationToken cancellation = default)
        => CallAsync(call, what, CallTimeout, Limit, cancellation);

    public static async Task<T> CallAsync<T>(Func<Task<T>> call, string what, TimeSpan callTimeout, TimeSpan limit, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(call);
        var deadline = DateTimeOffset.UtcNow + limit;
        while (true)
        {
            try
            {
                return await call().WaitAsync(callTimeout, cancellation).ConfigureAwait(false);
            }
            catch (Exception e) when (IsGatewayLoss(e) && !cancellation.IsCancellationRequested)
            {
                if (DateTimeOffset.UtcNow + RetryDelay > deadline)
                    throw new ClusterUnreachableException($"{what}: no gateway answered for {limit.TotalSeconds:0} s ({e.GetType().Name}: {e.Message})", e);
                await Task.Delay(RetryDelay, cancellation).ConfigureAwait(false);
            }
        }
    }
}
