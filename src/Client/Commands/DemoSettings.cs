using System.ComponentModel;
using Spectre.Console.Cli;

namespace Thresher.Client.Commands;

/// <summary>
/// The options every `thresher demo` shares: the dataset and its cache. Each demo's own settings derive from this
/// (Spectre binds options along the settings class chain), so the wording and defaults stay one.
/// </summary>
public abstract class DemoSettings : CommandSettings
{
    [CommandOption("--data <NAME|DIR>")]
    [Description("Dataset: mnist (fetched on first use; the tutorial's), fashion-mnist, or a folder of IDX files. The input layer follows its image size.")]
    [DefaultValue("mnist")]
    public string Data { get; init; } = "mnist";

    [CommandOption("--data-dir <DIR>")]
    [Description("Dataset cache folder (default: $THRESHER_DATA_DIR, else ~/.cache/thresher).")]
    public string? DataDir { get; init; }
}
