using Thresher.Core.Data;

namespace Thresher.Benchmarks;

/// <summary>
/// The data the step measurements train on: real MNIST when it is already cached (never fetched for a
/// benchmark), else a synthetic MNIST-shaped set written once to a temporary folder. Speed does not depend on
/// the pixel values, only on the shapes; the output says which one was used.
/// </summary>
/// <param name="Data">The loaded dataset.</param>
/// <param name="Source">The run config's dataset: "mnist" or the synthetic folder.</param>
/// <param name="CacheDirectory">The silo's data folder (null: the default cache).</param>
/// <param name="Description">One line for the output.</param>
public sealed record BenchData(Dataset Data, string Source, string? CacheDirectory, string Description)
{
    /// <summary>Synthetic training images when MNIST is not cached (60,000 like MNIST; fewer for --quick).</summary>
    public static BenchData Load(string? cacheDirectory, bool synthetic, int syntheticTrainCount)
    {
        var options = new DatasetOptions { CacheDirectory = cacheDirectory, Acquire = false };
        string mnist = options.MnistDirectory();
        if (!synthetic && DatasetCatalog.HasAllFiles(mnist))
        {
            var data = DatasetCatalog.Load(DatasetCatalog.Mnist, options);
            return new BenchData(data, DatasetCatalog.Mnist, cacheDirectory, $"real MNIST ({data.Train.Count} training images, {mnist})");
        }
        string folder = Path.Combine(Path.GetTempPath(), $"thresher-bench-synthetic-{syntheticTrainCount}");
        if (!DatasetCatalog.HasAllFiles(folder))
        {
            // Written under a private name, then moved: a concurrent bench never reads a half-written set.
            string partial = folder + "-" + Environment.ProcessId;
            SyntheticDataset.Write(partial, syntheticTrainCount, 1000, 28, 28);
            try
            {
                Directory.Move(partial, folder);
            }
            catch (IOException)
            {
                Directory.Delete(partial, recursive: true); // another process won the race; its copy is complete
            }
        }
        var synth = DatasetCatalog.Load(folder, options);
        string why = synthetic ? "--synthetic" : $"MNIST is not cached in {mnist}";
        return new BenchData(synth, folder, cacheDirectory, $"synthetic MNIST-shaped data ({synth.Train.Count} training images; {why})");
    }
}
