using Microsoft.Extensions.Options;
using Thresher.Core.Data;

namespace Thresher.Grains;

/// <summary>
/// The silo's way to the data: resolves a run's dataset name or directory with the silo's cache folder,
/// confined to the silo's data folders (<see cref="SiloTrainingOptions.DataRoots"/>). Datasets are shared
/// process-wide by <see cref="DatasetCatalog"/>, so every grain of every run on this silo reads the same
/// in-memory copy.
/// </summary>
public sealed class SiloDatasets(IOptions<SiloTrainingOptions> options)
{
    const string DebianDatasets = "/usr/share/datasets";

    public Dataset Load(string nameOrDirectory)
    {
        var settings = options.Value;
        var datasetOptions = new DatasetOptions { CacheDirectory = settings.DataDirectory };
        bool known = nameOrDirectory is DatasetCatalog.Mnist or DatasetCatalog.FashionMnist;
        if (!known && !settings.AnyDataDirectory)
            DataRoots.EnsureWithin(nameOrDirectory, [datasetOptions.ResolveCacheDirectory(), DebianDatasets, .. DataRoots.Parse(settings.DataRoots)]);
        return DatasetCatalog.Load(nameOrDirectory, datasetOptions);
    }
}
