namespace Thresher.Grains.Tests;

/// <summary>
/// The device loop takes only synchronous, unaggregated runs: with --sync ssp or --aggregate per-silo a GPU silo's
/// parameter server must stay on the worker path (else the device's θ, which never trained, would overwrite the
/// server's on the next read).
/// </summary>
public sealed class ResidentRefusalTests
{
    static readonly Abstractions.RunConfig OneWorker = RunConfigs.Default with { Workers = 1 };

    [Fact]
    public void A_plain_one_worker_run_is_taken() => Assert.Null(OneWorker.ResidentRefusal());

    [Fact]
    public void Asynchronous_training_keeps_the_worker_path()
        => Assert.Contains("--sync ssp", (OneWorker with { Sync = "ssp" }).ResidentRefusal(), StringComparison.Ordinal);

    [Fact]
    public void Per_silo_aggregation_keeps_the_worker_path()
        => Assert.Contains("--aggregate none", (OneWorker with { Aggregate = "per-silo" }).ResidentRefusal(), StringComparison.Ordinal);

    [Fact]
    public void Cores_rule_still_applies() => Assert.Contains("one worker", (OneWorker with { Workers = 2 }).ResidentRefusal(), StringComparison.Ordinal);
}
