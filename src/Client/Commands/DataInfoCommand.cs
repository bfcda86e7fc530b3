using System.ComponentModel;
using System.Globalization;
using Spectre.Console;
using Spectre.Console.Cli;
using Thresher.Core.Data;

namespace Thresher.Client.Commands;

/// <summary>`thresher data info &lt;name|dir&gt;`: counts, shape, label histogram, checksums, location.</summary>
public sealed class DataInfoCommand(IAnsiConsole console) : Command<DataInfoCommand.Settings>
{
    public sealed class Settings : CommandSettings
    {
        [CommandArgument(0, "<dataset>")]
        [Description("mnist, fashion-mnist, or a directory holding the four MNIST-format IDX files (raw or .gz).")]
        public string Dataset { get; init; } = "";

        [CommandOption("--cache-dir <DIR>")]
        [Description("Dataset cache root (default: $THRESHER_DATA_DIR, else $XDG_CACHE_HOME/thresher, else ~/.cache/thresher).")]
        public string? CacheDir { get; init; }

        [CommandOption("--no-fetch")]
        [Description("Fail instead of fetching mnist when it is not cached.")]
        public bool NoFetch { get; init; }

        [CommandOption("--classes <N>")]
        [Description("Labels must lie in 0..N-1 (default 10, 1..256).")]
        [DefaultValue(10)]
        [TypeConverter(typeof(IntOptionConverter))]
        public int Classes { get; init; } = 10;

        public override ValidationResult Validate()
        {
            if (string.IsNullOrWhiteSpace(Dataset))
                return ValidationResult.Error("no dataset given — pass mnist, fashion-mnist or a directory");
            if (Classes is < 1 or > 256)
                return ValidationResult.Error($"--classes {Classes} is out of range — use 1..256 (10 for MNIST)");
            return ValidationResult.Success();
        }
    }

    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var options = new DatasetOptions { CacheDirectory = settings.CacheDir, Acquire = !settings.NoFetch, Classes = settings.Classes };
        if (settings.Dataset == DatasetCatalog.Mnist && !settings.NoFetch && !DatasetCatalog.HasAllFiles(options.MnistDirectory()))
            console.MarkupLineInterpolated($"MNIST is not cached yet: fetching it into {options.MnistDirectory()} ...");
        var data = DatasetCatalog.Load(settings.Dataset, options);

        console.MarkupLineInterpolated($"[bold]{data.Name}[/] in {data.Directory}");
        var splits = new Table().AddColumns("split", "images", "shape", "labels");
        foreach (var split in new[] { data.Train, data.Test })
            splits.AddRow(split.Name, Number(split.Count), $"{split.Rows}x{split.Cols} ({split.Features} features)", $"0..{split.MaxLabel}");
        console.Write(splits);

        var histogram = new Table().AddColumns("label", "train", "test");
        var train = data.Train.LabelCounts();
        var test = data.Test.LabelCounts();
        for (int label = 0; label < Math.Max(train.Length, test.Length); label++)
            histogram.AddRow(label.ToString(CultureInfo.InvariantCulture), Count(train, label), Count(test, label));
        console.Write(histogram);

        var files = new Table().AddColumns("file", "bytes", "format");
        foreach (var file in data.Files)
            files.AddRow(Markup.Escape(Path.GetFileName(file.Path)), Number(file.Bytes), file.Compressed ? "gzip" : "raw");
        console.Write(files);
        // sha256sum's own format, so the lines can be checked with `sha256sum -c` in the directory.
        console.MarkupLine("SHA-256 of the files on disk:");
        foreach (var file in data.Files)
            console.MarkupLineInterpolated($"{file.Sha256}  {Path.GetFileName(file.Path)}");
        if (data.Name == DatasetCatalog.Mnist)
            console.MarkupLine($"checksums match {MnistRelease.NpmPackage}");
        return ExitCodes.Success;
    }

    static string Number(long value) => value.ToString(CultureInfo.InvariantCulture);

    static string Count(int[] counts, int label) => label < counts.Length ? Number(counts[label]) : "0";
}
