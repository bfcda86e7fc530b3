using Thresher.Core.Data;

namespace Thresher.Core.Tests.Data;

public sealed class DataRootsTests
{
    [Theory]
    [InlineData("/data/mnist", "/data", true)]
    [InlineData("/data", "/data/", true)]
    [InlineData("/data/../etc", "/data", false)]
    [InlineData("/data2/mnist", "/data", false)]
    [InlineData("/etc/passwd", "/", true)]
    [InlineData("/data/a/../b", "/data", true)]
    public void Containment_resolves_dots_and_does_not_confuse_prefixes(string path, string root, bool within)
        => Assert.Equal(within, DataRoots.IsWithin(path, root));

    [Fact]
    public void A_directory_outside_every_root_is_refused_without_saying_whether_it_exists()
    {
        var e = Assert.Throws<ThresherInputException>(() => DataRoots.EnsureWithin("/etc", ["/srv/datasets"]));
        Assert.Contains("data '/etc': outside this silo's data directories (/srv/datasets)", e.Message, StringComparison.Ordinal);
        var missing = Assert.Throws<ThresherInputException>(() => DataRoots.EnsureWithin("/srv/datasets/../nope", ["/srv/datasets"]));
        Assert.Contains("outside", missing.Message, StringComparison.Ordinal);
        DataRoots.EnsureWithin("/srv/datasets/mnist", ["/srv/datasets"]);
    }

    [Fact]
    public void A_link_inside_a_root_that_points_outside_is_refused()
    {
        string root = Directory.CreateTempSubdirectory("thresher-roots-").FullName;
        string outside = Directory.CreateTempSubdirectory("thresher-outside-").FullName;
        try
        {
            string link = Path.Combine(root, "sneaky");
            Directory.CreateSymbolicLink(link, outside);
            Assert.Throws<ThresherInputException>(() => DataRoots.EnsureWithin(link, [root]));
            Directory.CreateDirectory(Path.Combine(root, "fine"));
            DataRoots.EnsureWithin(Path.Combine(root, "fine"), [root]);
        }
        finally
        {
            Directory.Delete(root, recursive: true);
            Directory.Delete(outside, recursive: true);
        }
    }

    [Fact]
    public void Parse_reads_a_path_list()
        => Assert.Equal(["/a", "/b c"], DataRoots.Parse($"/a{Path.PathSeparator}{Path.PathSeparator} /b c "));
}
