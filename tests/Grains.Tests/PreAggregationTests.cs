using Thresher.Abstractions;
using Thresher.Core.Aggregation;

namespace Thresher.Grains.Tests;

/// <summary>
/// --aggregate per-silo on the two-silo test cluster against the same run without it (README, "Pre-aggregation"):
/// the trajectory is the plain one bit for bit when the silo grouping preserves worker order (W = 1; W = 2, one worker
/// per silo), else equal to float rounding and bit-identical between two runs of the same grouping (W = 4: workers
/// 0, 2 on one silo, 1, 3 on the other). The workers' local norms and silos survive, and the parameter server receives
/// silos·|θ| gradient bytes per step instead of W·|θ|.
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class PreAggregationTests(ClusterFixture fixture)
{
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(4)]
    public async Task Two_silos_follow_the_plain_trajectory_as_the_guarantee_says(int workers)
    {
        var plain = await PreAggregationRuns.Run(fixture.Client, PreAggregationRuns.Recipe(fixture.DataDirectory, workers, "none"));
        var aggregated = await PreAggregationRuns.Run(fixture.Client, PreAggregationRuns.Recipe(fixture.DataDirectory, workers, "per-silo"));
        Assert.Equal(plain.History.Length, aggregated.History.Length);
        Assert.Contains(plain.History, r => r.Clipped);
        var groups = SiloGrouping.Of(aggregated.History[^1].WorkerSilos);
        Assert.Equal(Math.Min(workers, 2), groups.Length); // the workers spread over both silos
        Assert.Equal(workers < 4, SiloGrouping.PreservesWorkerOrder(groups));
        foreach (var record in aggregated.History)
        {
            Assert.Equal(workers, record.WorkerNorms.Length);
            Assert.All(record.WorkerNorms, n => Assert.True(double.IsFinite(n) && n > 0, $"worker norm {n}"));
        }
        if (workers < 4)
        {
            Assert.Equal(plain.Theta, aggregated.Theta);
            Assert.Equal(plain.History.Select(r => r.GlobalNorm), aggregated.History.Select(r => r.GlobalNorm));
            Assert.Equal(plain.History.Select(r => r.WorkerNorms), aggregated.History.Select(r => r.WorkerNorms));
            return;
        }
        for (int i = 0; i < plain.History.Length; i++)
        {
            AssertClose(plain.History[i].Loss, aggregated.History[i].Loss, $"loss at step {i}");
            AssertClose(plain.History[i].GlobalNorm, aggregated.History[i].GlobalNorm, $"global norm at step {i}");
        }
        Assert.NotEqual(plain.Theta, aggregated.Theta); // regrouped: float rounding differs
        var again = await PreAggregationRuns.Run(fixture.Client, PreAggregationRuns.Recipe(fixture.DataDirectory, workers, "per-silo"));
        Assert.Equal(aggregated.Theta, again.Theta);
        Assert.Equal(aggregated.History.Select(r => r.GlobalNorm), again.History.Select(r => r.GlobalNorm));
    }

    [Fact]
    public async Task The_parameter_server_receives_one_gradient_per_silo_instead_of_one_per_worker()
    {
        const int workers = 4;
        long theta = PreAggregationRuns.ThetaBytes;
        var plain = await PreAggregationRuns.Run(fixture.Client, PreAggregationRuns.Recipe(fixture.DataDirectory, workers, "none"));
        var aggregated = await PreAggregationRuns.Run(fixture.Client, PreAggregationRuns.Recipe(fixture.DataDirectory, workers, "per-silo"));
        Assert.All(plain.History, r => Assert.Equal(workers * theta, r.Bytes!.ServerReceived));
        Assert.All(plain.History, r => Assert.Equal(0, r.Bytes!.AggregatorSent));
        // A fresh parameter server's first step has no placement yet: one group, through its own silo's aggregator.
        Assert.Equal(theta, aggregated.History[0].Bytes!.ServerReceived);
        foreach (var record in aggregated.History.Skip(1))
        {
            var b = record.Bytes!;
            Assert.Equal(2 * theta, b.ServerReceived);        // silos·|θ|, not W·|θ|
            Assert.Equal(2 * theta, b.ServerSent);            // θ once per silo
            Assert.Equal(theta, b.ServerRemoteReceived);      // the other silo's sum crossed the link; this silo's did not
            Assert.Equal(workers * theta, b.AggregatorReceived);
            Assert.Equal(0, b.AggregatorRemoteReceived);      // every worker is summed on its own silo
            Assert.Equal(2 * theta, b.AggregatorSent);
            Assert.Equal(workers * theta, b.WorkerSent);
            Assert.Equal(workers * theta, b.WorkerReceived);
        }
    }

    [Fact]
    public async Task Regrouped_sums_converge_like_the_plain_run()
    {
        // W = 4 on 2 silos (regrouped: float rounding differs from step 1 on), 3 epochs with shuffling, evaluated at each epoch end.
        var recipe = PreAggregationRuns.Recipe(fixture.DataDirectory, 4, "none") with { Steps = null, Epochs = 3, Shuffle = true, Clip = 1f };
        var plain = await PreAggregationRuns.Run(fixture.Client, recipe);
        var aggregated = await PreAggregationRuns.Run(fixture.Client, recipe with { Aggregate = "per-silo" });
        double plainAccuracy = plain.History[^1].TestAccuracy!.Value, aggregatedAccuracy = aggregated.History[^1].TestAccuracy!.Value;
        Assert.True(plainAccuracy > 0.5, $"the plain run learned: {plainAccuracy:P1}");
        Assert.True(Math.Abs(plainAccuracy - aggregatedAccuracy) <= 0.01, $"test accuracy: plain {plainAccuracy:P2}, pre-aggregated {aggregatedAccuracy:P2}");
        AssertClose(plain.History[^1].Loss, aggregated.History[^1].Loss, "final loss", relative: 0.02);
    }

    static void AssertClose(double expected, double actual, string what, double relative = 1e-4)
        => Assert.True(Math.Abs(expected - actual) <= relative * Math.Abs(expected), $"{what}: plain {expected:G10}, pre-aggregated {actual:G10}");
}
