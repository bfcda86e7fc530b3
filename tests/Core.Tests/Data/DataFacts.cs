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

/// <summary>A fact that needs Debian's dataset-fashion-mnist; skipped, with the reason shown, when it is absent.</summary>
public sealed class FashionMnistFactAttribute : FactAttribute
{
    public FashionMnistFactAttribute()
    {
        string directory = new DatasetOptions().FashionMnistDirectory;
        if (!DatasetCatalog.HasAllFiles(directory))
            Skip = $"Fashion-MNIST is not installed in {directory} — 'apt-get install dataset-fashion-mnist' to run this test";
    }
}

/// <summary>A fact about file permissions, which root ignores; skipped, with the reason shown, for root and on Windows.</summary>
public sealed class NonRootFactAttribute : FactAttribute
{
    public NonRootFactAttribute()
    {
        if (OperatingSystem.IsWindows() || Environment.UserName == "root")
            Skip = "permission checks do not apply to root (or on Windows): run the tests as an ordinary user to cover this";
    }
}

/// <summary>A theory that needs the cached MNIST; skipped, with the reason shown, when it is absent.</summary>
public sealed class MnistTheoryAttribute : TheoryAttribute
{
    public MnistTheoryAttribute()
    {
        string directory = new DatasetOptions().MnistDirectory();
        if (!DatasetCatalog.HasAllFiles(directory))
            Skip = $"MNIST is not cached in {directory} — run 'thresher data fetch mnist' (.ci/run does) to run this test";
    }
}
