using Thresher.Core.Data;

namespace Thresher.Core.Tests.Data;

/// <summary>A fact that needs real MNIST in the default cache; skipped, with the reason shown, when it is absent.</summary>
public sealed class MnistFactAttribute : FactAttribute
{
    public MnistFactAttribute()
    {
        string directory = new DatasetOptions().MnistDirectory();
        if (!DatasetCatalog.HasAllFiles(directory))
            Skip = $"MNIST is not cached in {directory} — run 'thresher data fetch mnist' (.ci/run does) to run this test";
    }
}
