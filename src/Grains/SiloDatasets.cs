using Microsoft.Extensions.Options;
using Thresher.Core.Data;

namespace Thresher.Grains;

/// <summary>
/// The silo's way to the data: resolves a run's dataset name or directory with the silo's cache folder.
/// Datasets are shared process-wide by <see cref="DatasetCatalog"/>, so every grain of every run on this
/// silo reads the same in-memory copy.
/// </summary>
public sealed class SiloDatasets(IOptions<SiloTrainingOptions> options)
{
    public Dataset Load(string nameOrDirectory)
        => DatasetCatalog.Load(nameOrDirectory, new DatasetOptions { CacheDirectory = options.Value.DataDirectory });
}
