using Thresher.Core.Data;
using Thresher.Core.Model;
using Thresher.Core.Tests.Data;
using Thresher.Core.Tests.Kernels;
using Thresher.Core.Training;

namespace Thresher.Core.Tests.Training;

/// <summary>
/// A worker's side of a streamed exchange (--overlap): θ's parts delivered from another thread while the worker
/// computes give the whole exchange's gradient bit for bit; repeated parts are ignored, wrong sizes refused; an
/// abandoned exchange ends the waits on both sides; a part that never comes ends the computation with a timeout; and a
/// gradient that an injected fault rewrites is announced only once rewritten.
/// </summary>
public sealed class StreamedStepTests : IDisposable
{
    readonly TempDir _dir = new();
    readonly Dataset _data;
    static readonly TrainingOptions Options = Presets.Tutorial with { Layers = new MlpConfig([300, 24, 10]), Steps = 4, Seed = 9 };
    static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    public StreamedStepTests()
    {
        SyntheticDataset.Write(_dir.Path, trainCount: 200, testCount: 20, rows: 15, cols: 20); // 300 inputs: w1 in 2 blocks of 150 rows
        _data = DatasetCatalog.Load(_dir.Path);
    }

    public void Dispose() => _dir.Dispose();

    (WorkerGradient Worker, float[] Theta) Setup(TrainingOptions options)
    {
        var worker = new WorkerGradient(options, _data.Train, workers: 2, worker: 1, fixedShards: false, threads: 1);
        var theta = new float[worker.ParameterCount];
        Initializer.Initialize(theta, worker.Layout, options.Init, options.Seed);
        return (worker, theta);
    }

    static byte[] Bytes(float[] values) => System.Runtime.InteropServices.MemoryMarshal.AsBytes(values.AsSpan()).ToArray();

    [Fact]
    public async Task Parts_delivered_from_another_thread_give_the_whole_exchange_s_gradient()
    {
        var (worker, theta) = Setup(Options);
        var expected = new float[theta.Length];
        var result = worker.Compute(2, theta, expected);

        var plan = new StreamPlan(worker.Layout);
        Assert.Equal(3, plan.Count);
        var buffer = Enumerable.Repeat((byte)0xFF, theta.Length * sizeof(float)).ToArray(); // NaN until a part lands
        var stream = new StreamedStep(7, plan, buffer, Patience);
        var grad = new float[theta.Length];
        var computing = Task.Run(() => worker.Compute(2, System.Runtime.InteropServices.MemoryMarshal.Cast<byte, float>(buffer.AsSpan()), grad, stream: stream));
        var source = Bytes(theta);
        for (int p = 0; p < plan.Count; p++)
        {
            stream.Deliver(p, source.AsSpan(plan.ByteOffset(p), plan.ByteLength(p)));
            stream.Deliver(p, new byte[plan.ByteLength(p)]); // a repeated part (a retried send of the same θ) changes nothing
        }
        var streamed = await computing.WaitAsync(Patience);
        Assert.Equal(result, streamed);
        KernelTestData.Identical(expected, grad, "streamed gradient");
        Assert.Equal(source.LongLength, stream.ReceivedBytes);
        for (int p = 0; p < plan.Count; p++) Assert.True(await stream.Gradient(p).WaitAsync(Patience), $"part {p} announced");
        Assert.Throws<ArgumentException>(() => new StreamedStep(8, plan, buffer, Patience).Deliver(0, new byte[3]));
        Assert.Throws<ArgumentOutOfRangeException>(() => stream.Deliver(plan.Count, []));
    }

    [Fact]
    public async Task An_abandoned_exchange_ends_the_computation_s_wait_and_its_pulls()
    {
        var (worker, theta) = Setup(Options);
        var plan = new StreamPlan(worker.Layout);
        var stream = new StreamedStep(7, plan, new byte[theta.Length * sizeof(float)], Patience);
        var pull = stream.Gradient(plan.Tail);
        var computing = Task.Run(() => worker.Compute(0, new float[theta.Length], new float[theta.Length], stream: stream));
        stream.Abandon();
        await Assert.ThrowsAsync<OperationCanceledException>(() => computing.WaitAsync(Patience));
        Assert.False(await pull.WaitAsync(Patience));
    }

    [Fact]
    public async Task A_part_that_never_comes_ends_the_computation_with_a_timeout_naming_it()
    {
        var (worker, theta) = Setup(Options);
        var plan = new StreamPlan(worker.Layout);
        var stream = new StreamedStep(7, plan, new byte[theta.Length * sizeof(float)], TimeSpan.FromMilliseconds(200));
        stream.Deliver(0, new byte[plan.ByteLength(0)]);
        var e = await Assert.ThrowsAsync<TimeoutException>(() => Task.Run(() => worker.Compute(0, new float[theta.Length], new float[theta.Length], stream: stream)).WaitAsync(Patience));
        Assert.Contains("exchange 7: θ part 1 of 3 did not arrive", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_gradient_an_injected_fault_rewrites_is_announced_whole_and_rewritten()
    {
        var options = Options with { Inject = InjectionRule.ParseList("worker:1:from=1:noise=0.5") };
        var (worker, theta) = Setup(options);
        var expected = new float[theta.Length];
        worker.Compute(1, theta, expected);
        var plan = new StreamPlan(worker.Layout);
        var buffer = Bytes(theta);
        var stream = new StreamedStep(7, plan, buffer, Patience);
        for (int p = 0; p < plan.Count; p++) stream.Deliver(p, buffer.AsSpan(plan.ByteOffset(p), plan.ByteLength(p)).ToArray());
        var grad = new float[theta.Length];
        var announced = new List<(int, int)>();
        var recorder = new Recorder(stream, announced);
        worker.Compute(1, theta, grad, stream: recorder);
        KernelTestData.Identical(expected, grad, "rewritten gradient");
        Assert.Equal([(0, theta.Length)], announced); // once, whole, after the noise
    }

    sealed class Recorder(IStepStream inner, List<(int, int)> announced) : IStepStream
    {
        public void AwaitParameters(int end) => inner.AwaitParameters(end);

        public void GradientReady(int start, int end)
        {
            announced.Add((start, end));
            inner.GradientReady(start, end);
        }
    }
}
