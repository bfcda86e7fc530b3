using Thresher.Core.Aggregation;

namespace Thresher.Core.Tests.Aggregation;

/// <summary>The grouping of a step's workers by silo, and when adding its groups keeps the worker-order sum's additions.</summary>
public sealed class SiloGroupingTests
{
    [Fact]
    public void Groups_follow_the_lowest_worker_and_keep_workers_ascending()
    {
        var groups = SiloGrouping.Of(["b", "a", "b", "c", "a"]);
        Assert.Equal(["b", "a", "c"], groups.Select(g => g.Silo));
        Assert.Equal([0, 2], groups[0].Workers);
        Assert.Equal([1, 4], groups[1].Workers);
        Assert.Equal([3], groups[2].Workers);
    }

    [Theory]
    [InlineData("a", true)]           // one worker
    [InlineData("a,a,a,a", true)]     // one silo: the aggregator's sum is the parameter server's
    [InlineData("a,b", true)]         // one worker per silo, in worker order
    [InlineData("a,a,b,c", true)]     // ((g0 + g1) + g2) + g3: a prefix, then single workers
    [InlineData("a,b,a,b", false)]    // (g0 + g2) + (g1 + g3)
    [InlineData("a,a,b,b", false)]    // (g0 + g1) + (g2 + g3): contiguous, still regrouped
    [InlineData("a,b,b", false)]      // g0 + (g1 + g2)
    public void Worker_order_is_preserved_only_by_a_prefix_followed_by_single_workers(string silos, bool preserved)
        => Assert.Equal(preserved, SiloGrouping.PreservesWorkerOrder(SiloGrouping.Of(silos.Split(','))));

    [Fact]
    public void Unknown_modes_are_refused_with_the_choices()
    {
        Assert.Equal(AggregationMode.PerSilo, AggregationModes.Parse("Per-Silo"));
        Assert.Equal(AggregationMode.None, AggregationModes.Parse(""));
        var e = Assert.Throws<ThresherInputException>(() => AggregationModes.Parse("tree"));
        Assert.Equal("aggregate 'tree': must be none or per-silo", e.Message);
    }
}
