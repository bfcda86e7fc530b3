using Spectre.Console;
using Thresher.Abstractions;
using Thresher.Client.Watching;

namespace Thresher.Client.Tests;

/// <summary>A watch whose calls fail in Orleans (its gateway died or hangs) says so, asks again, and follows the run on.</summary>
public sealed class RunWatcherReconnectTests
{
    /// <summary>A run that answers running, then fails <paramref name="failures"/> calls as a dead gateway does, then completes.</summary>
    sealed class FlakyRun(int failures) : IRunGrain
    {
        int _calls;

        public Task<RunStatus> GetStatus()
        {
            int call = ++_calls;
            if (call is > 1 && call <= 1 + failures) throw new Orleans.Runtime.Messaging.ConnectionFailedException("gateway 127.0.0.1:30000 is gone");
            return Task.FromResult(new RunStatus { RunId = "flaky", State = call == 1 ? RunState.Running : RunState.Completed, Step = call == 1 ? 1 : 2, TotalSteps = 2 });
        }

        public Task<StepRecord[]> GetHistory(long fromStep, int max) => Task.FromResult(Array.Empty<StepRecord>());

        public Task<RunStatus> Start(RunConfig config, byte[]? initialParameters) => throw new NotSupportedException();

        public Task<RunStatus> Cancel() => throw new NotSupportedException();

        public Task<ParameterSnapshot> GetParameters() => throw new NotSupportedException();
    }

    [Fact]
    public async Task A_watch_that_loses_its_gateway_reconnects_and_returns_the_runs_end()
    {
        var writer = new StringWriter();
        var console = AnsiConsole.Create(new AnsiConsoleSettings { Ansi = AnsiSupport.No, Interactive = InteractionSupport.No, Out = new AnsiConsoleOutput(writer) });
        var watcher = new RunWatcher(console, new FlakyRun(failures: 2)) { PollInterval = TimeSpan.FromMilliseconds(10) };

        var (status, detached) = await watcher.WatchAsync(null, cancelRunOnInterrupt: false, CancellationToken.None);

        Assert.False(detached);
        Assert.Equal(RunState.Completed, status.State);
        Assert.Contains("lost the cluster (ConnectionFailedException); reconnecting", writer.ToString(), StringComparison.Ordinal);
        Assert.Contains("reconnected", writer.ToString(), StringComparison.Ordinal);
    }
}
