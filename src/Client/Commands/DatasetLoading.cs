using System.Globalization;
using Spectre.Console;
using Thresher.Core.Data;

namespace Thresher.Client.Commands;

/// <summary>Loads a dataset in the CLI process, fetching MNIST with visible progress when it is missing.</summary>
static class DatasetLoading
{
    public static Dataset Load(IAnsiConsole console, string nameOrDirectory, string? cacheDirectory, int inputs, int classes)
    {
        var options = new DatasetOptions { CacheDirectory = cacheDirectory, Progress = new ConsoleProgress(console) };
        var data = DatasetCatalog.Load(nameOrDirectory, options);
        data.Train.ValidateFor(inputs, classes);
        data.Test.ValidateFor(inputs, classes);
        console.MarkupLineInterpolated(CultureInfo.InvariantCulture, $"data: {data.Name} ({data.Train.Count} train, {data.Test.Count} test, {data.Train.Rows}×{data.Train.Cols}) from {data.Directory}");
        return data;
    }

    /// <summary>Prints acquisition stages as they happen (synchronously, unlike Progress&lt;T&gt;), one line per stage.</summary>
    sealed class ConsoleProgress(IAnsiConsole console) : IProgress<AcquisitionProgress>
    {
        AcquisitionStage? _last;

        public void Report(AcquisitionProgress value)
        {
            if (_last == value.Stage) return;
            _last = value.Stage;
            console.MarkupLineInterpolated($"[grey]{value.Stage}: {value.Detail}[/]");
        }
    }
}
