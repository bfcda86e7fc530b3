using Thresher.Abstractions;

namespace Thresher.Grains;

/// <summary>The parameter server's calls to its workers, with the retry rule that makes them safe.</summary>
static class WorkerCalls
{
    /// <summary>
    /// One worker's gradient, asked again (at most <see cref="Attempts"/> times in all) when the call
    /// failed in Orleans rather than in the worker, or took longer than the run's worker timeout: a silo that
    /// stops or dies rejects the calls to its activations (SiloUnavailableException, OrleansMessageRejectionException),
    /// and once membership has declared it dead the next call re-activates the worker on another silo; a hung silo
    /// (SIGSTOP) answers nothing until it is declared dead. A fresh activation answers null: it gets its
    /// <paramref name="setup"/> and is asked again. Safe because the setup and the request carry everything (config,
    /// θ, step, worker index) and the work is deterministic: a retry returns the same gradient, and the step is applied
    /// once, here, after all parts. Exceptions the worker itself throws (bad data) fail the step at once.
    /// </summary>
    public static Task<GradientResult> ComputeWithRetry(IWorkerGrain worker, WorkerSetup setup, GradientRequest request, TimeSpan timeout, bool replay = false)
        => ComputeWithRetry(worker, setup, () => replay ? worker.ReplayGradient(request) : worker.ComputeGradient(request), timeout);

    /// <summary>The same rule for any call of the worker (a sharded run's <see cref="IWorkerGrain.ComputeSharded"/>).</summary>
    public static async Task<GradientResult> ComputeWithRetry(IWorkerGrain worker, WorkerSetup setup, Func<Task<GradientResult?>> call, TimeSpan timeout)
    {
        for (int attempt = 1; ; attempt++)
        {
            try
            {
                if (await call().WaitAsync(timeout) is { } result) return result;
                if (attempt >= Attempts)
                    throw new InvalidOperationException($"worker {setup.Worker} of run {setup.RunId}: still not set up after {attempt} setups");
                // Null again after a setup: an activation migrating off an avoided silo (--fault-limit) may take the setup
                // before it is gone; give the migration time, then the setup reaches the new activation.
                if (attempt > 1) await Task.Delay(TimeSpan.FromMilliseconds(100 * attempt));
                await worker.SetUp(setup).WaitAsync(timeout);
            }
            catch (Exception e) when (e is OrleansException or TimeoutException && attempt < Attempts)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(200 * attempt)); // let membership catch up with a dead silo
            }
        }
    }

    public const int Attempts = 6;
}
