using Thresher.Abstractions;

namespace Thresher.Grains;

/// <summary>The parameter server's calls to a silo's aggregator, with the workers' retry rule one level up.</summary>
static class AggregatorCalls
{
    /// <summary>
    /// One silo's sum, asked again (at most <see cref="WorkerCalls.Attempts"/> times) when the call failed in Orleans or
    /// took longer than <paramref name="timeout"/>: an aggregator whose silo died is re-activated elsewhere (its
    /// placement falls back to the caller's silo) and calls the same workers, which retry on their own. A fresh
    /// activation answers null: it gets <paramref name="setup"/> and is asked again. Safe because the request
    /// carries everything and the sum is deterministic; the step is applied once, by the parameter server.
    /// </summary>
    public static async Task<SiloGradient> AggregateWithRetry(IAggregatorGrain aggregator, AggregatorSetup setup, AggregateRequest request, TimeSpan timeout)
    {
        for (int attempt = 1; ; attempt++)
        {
            try
            {
                if (await aggregator.Aggregate(request).WaitAsync(timeout) is { } result) return result;
                if (attempt >= WorkerCalls.Attempts)
                    throw new InvalidOperationException($"aggregator {aggregator.GetPrimaryKeyString()} of run {setup.RunId}: still not set up after {attempt} setups");
                await aggregator.SetUp(setup).WaitAsync(timeout);
            }
            catch (Exception e) when (e is OrleansException or TimeoutException && attempt < WorkerCalls.Attempts)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(200 * attempt)); // let membership catch up with a dead silo
            }
        }
    }
}
