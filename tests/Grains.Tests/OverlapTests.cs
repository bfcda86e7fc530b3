using Thresher.Abstractions;
using Thresher.Core.Data;
using Thresher.Core.Model;

namespace Thresher.Grains.Tests;

/// <summary>
/// Streamed exchanges (--overlap) on the in-process cluster (two silos), with 300 inputs so w1 travels in two row
/// blocks plus the tail: every step's loss, norms and bytes and the final θ are those of whole exchanges, bit for bit,
/// for W = 1, 2, 3 and modes on and auto; workers collected mid-run are set up again without a changed bit; and the
/// worker's protocol answers null where it cannot produce an exchange (not set up, superseded).
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class OverlapTests(ClusterFixture fixture) : IDisposable
{
    const int Steps = 6;
    static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);
    readonly string _data = WriteData();

    static string WriteData()
    {
        string directory = Path.Combine(Path.GetTempPath(), $"thresher-overlap-{Guid.NewGuid():N}");
        SyntheticDataset.Write(directory, trainCount: 600, testCount: 60, rows: 15, cols: 20);
        return directory;
    }

    public void Dispose() => Directory.Delete(_data, recursive: true);

    RunConfig Config(int workers, string overlap) => RunConfigs.Default with
    {
        Dataset = _data,
        Layers = [300, 24, 10],
        Batch = 30,
        Workers = workers,
        Steps = 100,
        LearningRate = 0.3f,
        Init = "he",
        Seed = 13,
        Overlap = overlap,
    };

    async Task<IParameterServerGrain> Started(RunConfig config)
    {
        var ps = fixture.Client.GetGrain<IParameterServerGrain>($"overlap-{config.Overlap}-{Guid.NewGuid():N}");
        await ps.Initialize(config, null);
        return ps;
    }

    [Theory]
    [InlineData(1, "on")]
    [InlineData(2, "on")]
    [InlineData(3, "on")]
    [InlineData(2, "auto")]
    [InlineData(3, "auto")]
    public async Task Streamed_exchanges_follow_the_whole_exchanges_trajectory_bit_for_bit(int workers, string overlap)
    {
        var whole = await Started(Config(workers, "off"));
        var streamed = await Started(Config(workers, overlap));
        long bytes = workers * 4L * new MlpConfig([300, 24, 10]).ParameterCount;
        for (long step = 0; step < Steps; step++)
        {
            var expected = await whole.Step(step, evaluate: false);
            var actual = await streamed.Step(step, evaluate: false);
            Assert.Equal(expected.Loss, actual.Loss);
            Assert.Equal(expected.GlobalNorm, actual.GlobalNorm);
            Assert.Equal(expected.TensorNorms, actual.TensorNorms);
            Assert.Equal(expected.WorkerNorms, actual.WorkerNorms);
            Assert.Equal(bytes, actual.Bytes!.WorkerReceived); // every part of θ once per worker
            Assert.Equal(bytes, actual.Bytes.ServerReceived);
        }
        Assert.Equal((await whole.GetParameters()).Parameters, (await streamed.GetParameters()).Parameters);
    }

    [Fact]
    public async Task Workers_collected_mid_run_are_set_up_again_and_the_streamed_trajectory_is_unchanged()
    {
        var config = Config(2, "on");
        var reference = await Started(config with { Overlap = "off" });
        for (long step = 0; step < 4; step++) await reference.Step(step, evaluate: false);
        var expected = (await reference.GetParameters()).Parameters; // read now: the collection below takes this grain too

        string runId = $"overlap-collected-{Guid.NewGuid():N}";
        var server = fixture.Client.GetGrain<IParameterServerGrain>(runId);
        var workers = new[] { 0, 1 }.Select(w => fixture.Client.GetGrain<IWorkerGrain>($"{runId}/{w}")).ToArray();
        await server.Initialize(config, null);
        for (long step = 0; step < 2; step++) await server.Step(step, evaluate: false);
        await server.Checkpoint();
        await fixture.Client.GetGrain<IManagementGrain>(0).ForceActivationCollection(TimeSpan.FromMilliseconds(1));
        foreach (var worker in workers)
            await Wait.Until(async () => !await GrainActivations.IsActive(fixture.Client, worker), TimeSpan.FromSeconds(15), $"{worker.GetGrainId()} to be collected");

        for (long step = 2; step < 4; step++) await server.Step(step, evaluate: false);
        Assert.Equal(expected, (await server.GetParameters()).Parameters);
    }

    [Fact]
    public async Task A_worker_answers_null_to_an_exchange_it_cannot_produce_and_completes_the_newer_one()
    {
        string runId = $"overlap-protocol-{Guid.NewGuid():N}";
        var config = Config(1, "on");
        var worker = fixture.Client.GetGrain<IWorkerGrain>($"{runId}/0");
        var plan = new StreamPlan(new ParameterLayout(new MlpConfig(config.Layers)));
        var theta = new byte[plan.TotalLength * sizeof(float)];
        new Random(3).NextBytes(theta);
        for (int i = 0; i < theta.Length; i += 4) theta[i + 3] = 0x3C; // small finite floats
        byte[] Part(int p) => theta.AsSpan(plan.ByteOffset(p), plan.ByteLength(p)).ToArray();

        // Not set up: the exchange answers null, its parts are dropped, its pulls answer null.
        await worker.ReceiveParameters(new ParameterPart(5, 0, Part(0)));
        Assert.Null(await worker.PullGradient(5, 0));
        Assert.Null(await worker.ComputeGradient(new GradientRequest(runId, 0, 0, []) { Exchange = 5 }));

        await worker.SetUp(new WorkerSetup(runId, config, 0));
        var whole = await worker.ComputeGradient(new GradientRequest(runId, 0, 0, theta));
        var expected = whole!.Gradient.ToArray(); // the worker reuses its buffer: copy before the next exchange

        // Exchange 6 gets its request and only θ's first part; exchange 7 supersedes it and completes.
        var first = worker.ComputeGradient(new GradientRequest(runId, 0, 0, []) { Exchange = 6 });
        var firstPull = worker.PullGradient(6, plan.Tail);
        await worker.ReceiveParameters(new ParameterPart(6, 0, Part(0)));
        var second = worker.ComputeGradient(new GradientRequest(runId, 0, 0, []) { Exchange = 7 });
        var pulls = Enumerable.Range(0, plan.Count).Select(p => worker.PullGradient(7, p)).ToArray();
        for (int p = 0; p < plan.Count; p++) await worker.ReceiveParameters(new ParameterPart(7, p, Part(p)));
        var result = await second.WaitAsync(Patience);
        Assert.NotNull(result);
        Assert.Empty(result.Gradient);
        Assert.Equal(theta.LongLength, result.ParametersReceivedBytes);
        var assembled = new byte[theta.Length];
        for (int p = 0; p < plan.Count; p++) (await pulls[p].WaitAsync(Patience))!.Bytes.Span.CopyTo(assembled.AsSpan(plan.ByteOffset(p)));
        Assert.Equal(expected, assembled);
        Assert.Null(await first.WaitAsync(Patience));     // superseded: its computation was abandoned
        Assert.Null(await firstPull.WaitAsync(Patience)); // and its pulls answered null instead of waiting for ever

        // Late messages of the superseded exchange (a lower id) are answered at once and leave the newer one alone.
        Assert.Null(await worker.ComputeGradient(new GradientRequest(runId, 0, 0, []) { Exchange = 6 }).WaitAsync(Patience));
        Assert.Null(await worker.PullGradient(6, 0).WaitAsync(Patience));
        await worker.ReceiveParameters(new ParameterPart(6, 1, Part(1))).WaitAsync(Patience);
        Assert.Equal(Part(0).Length, (await worker.PullGradient(7, 0).WaitAsync(Patience))!.Bytes.Length);
    }
}
