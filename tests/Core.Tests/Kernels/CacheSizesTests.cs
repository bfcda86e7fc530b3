using Thresher.Core.Kernels;

namespace Thresher.Core.Tests.Kernels;

/// <summary>The cache sizes the GEMM's row block is cut from, read from a sysfs-shaped folder.</summary>
public sealed class CacheSizesTests : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "thresher-cache-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_root)) Directory.Delete(_root, recursive: true);
    }

    private void Index(int i, string level, string type, string size)
    {
        string dir = Path.Combine(_root, "index" + i);
        Directory.CreateDirectory(dir);
        File.WriteAllText(Path.Combine(dir, "level"), level + "\n");
        File.WriteAllText(Path.Combine(dir, "type"), type + "\n");
        File.WriteAllText(Path.Combine(dir, "size"), size + "\n");
    }

    [Fact]
    public void IceLakeSpLayout_GivesItsL1dAndL2_AndA320RowBlock()
    {
        Index(0, "1", "Data", "48K");
        Index(1, "1", "Instruction", "32K");
        Index(2, "2", "Unified", "1280K");
        Index(3, "3", "Unified", "49152K");
        var sizes = CacheSizes.Read(_root);
        Assert.Equal(new CacheSizes(48 * 1024, 1280 * 1024), sizes);
        Assert.Equal(320, GemmBlocked.RowBlock(sizes.L2Bytes));
        Assert.Equal(256, GemmBlocked.RowBlock(1024 * 1024)); // Zen 4
    }

    [Fact]
    public void MissingOrUnparsableEntries_KeepTheDefaults()
    {
        Assert.Equal(CacheSizes.Default, CacheSizes.Read(Path.Combine(_root, "absent")));
        Index(0, "1", "Data", "lots");
        Index(2, "2", "Unified", "2M");
        Assert.Equal(new CacheSizes(CacheSizes.Default.L1DataBytes, 2 * 1024 * 1024), CacheSizes.Read(_root));
    }

    [Theory]
    [InlineData("48K", 49_152)]
    [InlineData("1280K", 1_310_720)]
    [InlineData("1M", 1_048_576)]
    [InlineData("512", 512)]
    [InlineData("", 0)]
    [InlineData("-4K", 0)]
    public void ParseSize_ReadsSysfsUnits(string text, long bytes) => Assert.Equal(bytes, CacheSizes.ParseSize(text));

    [Fact]
    public void RowBlock_StaysWithinItsBounds()
    {
        Assert.Equal(96, GemmBlocked.RowBlock(0));
        Assert.Equal(768, GemmBlocked.RowBlock(1L << 40));
    }
}
