using Thresher.Core.Data;

namespace Thresher.Client.Tests;

/// <summary>A learnable 4×4, 10-class dataset on disk for CLI runs that must not depend on MNIST.</summary>
public sealed class SyntheticData : IDisposable
{
    public const string Layers = "16,24,10";

    public string Directory { get; } = SyntheticDataset.Write(
        System.IO.Directory.CreateTempSubdirectory("thresher-cli-synth-").FullName, trainCount: 1000, testCount: 200, rows: 4, cols: 4);

    public void Dispose() => System.IO.Directory.Delete(Directory, recursive: true);
}
