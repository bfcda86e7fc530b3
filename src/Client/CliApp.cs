using Spectre.Console;
using Spectre.Console.Cli;
using Thresher.Client.Commands;

namespace Thresher.Client;

/// <summary>The `thresher` command tree. Tests build the same app with their own console.</summary>
public static class CliApp
{
    public static CommandApp Create(IAnsiConsole console)
    {
        var app = new CommandApp();
        app.Configure(config =>
        {
            config.SetApplicationName("thresher");
            config.ConfigureConsole(console);
            config.Settings.Registrar.RegisterInstance(console);
            config.PropagateExceptions();
            config.UseStrictParsing();
            config.AddCommand<TrainCommand>("train")
                .WithDescription("Train on an embedded single-process cluster (no setup; fetches MNIST on first use).")
                .WithExample("train")
                .WithExample("train", "--preset", "tutorial-unclipped", "--steps", "50")
                .WithExample("train", "--epochs", "5", "--save", "model.safetensors");
            config.AddCommand<SubmitCommand>("submit")
                .WithDescription("Submit a run to a running cluster through a silo's gateway.")
                .WithExample("submit", "--gateway", "127.0.0.1:30000", "--watch");
            config.AddCommand<RunsCommand>("runs").WithDescription("List the cluster's runs.");
            config.AddCommand<StatusCommand>("status").WithDescription("Show one run's state and progress.");
            config.AddCommand<CancelCommand>("cancel").WithDescription("Cancel a pending or running run.");
            config.AddCommand<ExportCommand>("export")
                .WithDescription("Save a run's current model (while it runs or after) or convert a model file: safetensors or ONNX.")
                .WithExample("export", "my-run", "--out", "model.safetensors", "--gateway", "127.0.0.1:30000")
                .WithExample("export", "model.safetensors", "--out", "model.onnx");
            config.AddCommand<EvalCommand>("eval")
                .WithDescription("Test-set accuracy, loss and count of a safetensors or ONNX model (ONNX through ONNX Runtime).")
                .WithExample("eval", "model.onnx", "--data", "mnist");
            config.AddCommand<ClusterCommand>("cluster").WithDescription("List the cluster's silos, their health and the workers each hosts.");
            config.AddCommand<ReportCommand>("report")
                .WithDescription("Plot a run's gradient norms (log scale, explosion markers), loss and accuracy as PNG and SVG.")
                .WithExample("report", "runs/run-20250101-120000-ab12/metrics.csv", "--out", "report")
                .WithExample("report", "my-run", "--gateway", "127.0.0.1:30000");
            config.AddDemoBranch();
            config.AddCommand<WatchCommand>("watch").WithDescription("Follow a run live: progress, loss, pre-/post-clip gradient norms, explosion alerts.");
            config.AddCommand<BenchCommand>("bench").WithDescription("Measure training-step throughput, GEMM GFLOP/s and clip µs (median of timed repetitions).");
            config.AddDataBranch();
            config.AddTlsBranch();
        });
        return app;
    }

    /// <summary>
    /// Runs the CLI on the process console; Ctrl-C and SIGTERM cancel the command's token (a watch detaches, the run
    /// goes on; `train` stops its run). A second one ends the process at once.
    /// </summary>
    public static async Task<int> RunAsync(string[] args)
    {
        using var interrupt = new CancellationTokenSource();
        Console.CancelKeyPress += (_, e) =>
        {
            if (interrupt.IsCancellationRequested) return; // a second Ctrl-C kills the process
            e.Cancel = true;
            interrupt.Cancel();
        };
        using var terminate = System.Runtime.InteropServices.PosixSignalRegistration.Create(System.Runtime.InteropServices.PosixSignal.SIGTERM, context =>
        {
            if (interrupt.IsCancellationRequested) return; // a second SIGTERM terminates
            context.Cancel = true;
            interrupt.Cancel();
        });
        var console = AnsiConsole.Console;
        if (Console.IsOutputRedirected) console.Profile.Width = 200; // logs and pipes: no wrapping at 80 columns
        return await ExitCodes.RunAsync(Create(console), args, interrupt.Token).ConfigureAwait(false);
    }
}
