using Thresher.Core.Data;

namespace Thresher.Core.Tests.Data;

public class SplitMix64Tests
{
    [Fact]
    public void Matches_the_reference_splitmix64_stream()
    {
        // Vigna's splitmix64.c with x = 0: the first outputs.
        var rng = new SplitMix64(0);
        Assert.Equal(0xE220A8397B1DCDAFUL, rng.Next());
        Assert.Equal(0x6E789E6AA1B965F4UL, rng.Next());
        Assert.Equal(0x06C45D188009454FUL, rng.Next());
    }

    [Fact]
    public void NextBelow_stays_in_range_and_hits_every_value()
    {
        var rng = new SplitMix64(123);
        var seen = new int[7];
        for (int i = 0; i < 7000; i++) seen[rng.NextBelow(7)]++;
        Assert.All(seen, c => Assert.InRange(c, 850, 1150));
        Assert.Equal(0, rng.NextBelow(1));
    }

    [Fact]
    public void Shuffle_yields_a_permutation()
    {
        var p = Permutation.Create(1000, 77);
        Assert.Equal(Enumerable.Range(0, 1000), p.Order());
        Assert.NotEqual(Enumerable.Range(0, 1000), p);
    }
}
