using ILGPU;
using ILGPU.Runtime;
using Thresher.Core.Backends;
using Thresher.Core.Data;
using Thresher.Core.Model;
using Thresher.Core.Ops;
using Thresher.Core.Optim;
using Thresher.Core.Training;

namespace Thresher.Gpu;

/// <summary>
/// The single-GPU training loop with nothing on the host: Core's <see cref="Trainer"/> (one worker) with every
/// buffer on the device. The training split is uploaded once; θ and the optimizer state live on the device; each
/// epoch's batch order (Core's <see cref="BatchSchedule"/>, the same seeded Fisher–Yates) is uploaded once per epoch
/// with an asynchronous copy; a step is gather → forward → backward (<see cref="MlpPass"/>) → per-tensor Σg²,
/// global norm and clip scale → optimizer (<see cref="DeviceUpdate"/>), all queued on one stream, then one host
/// sync that reads the loss sum and the K per-tensor sums for the step's record (<see cref="StepSyncs"/> counts).
/// Why upload the order rather than shuffle on the device: it is 4·N bytes once per epoch (240 KB for MNIST,
/// overlapped with the previous epoch's last steps' queue), and it keeps the trajectory the CPU trainer's, which
/// the tests compare step by step. Scope: global clipping (or none), skip/abort of non-finite steps, any optimizer
/// and schedule; not the spike ladder, fault injection or the other clip policies (refused by <see cref="Supports"/>:
/// Core's <see cref="ResidentTraining.Refusal"/>). As an <see cref="IResidentTrainer"/> it is the parameter server's
/// step for a one-worker run on a GPU silo (`thresher train --backend cuda --workers 1`): it can start mid-run from a
/// mirror of θ and the optimizer state (<see cref="ResidentStart"/>) and hands them back on request.
/// </summary>
public sealed class DeviceTrainer : IResidentTrainer
{
    readonly GpuRuntime _runtime;
    readonly MlpPass _pass;
    readonly DeviceUpdate _update;
    readonly DeviceSplit _data;
    readonly LearningRateSchedule _schedule;
    readonly MemoryBuffer1D<float, Stride1D.Dense> _theta;      // [P]
    readonly MemoryBuffer1D<float, Stride1D.Dense> _grad;       // [P]
    readonly MemoryBuffer1D<int, Stride1D.Dense> _epochRows;    // [S·B]: this epoch's rows, step after step
    readonly PageLockedArray1D<int> _epochRowsHost;             // [S·B] staging
    readonly PageLockedArray1D<double> _sumsHost;               // [1 + K] the step's loss sum and Σg² per tensor
    readonly MemoryBuffer1D<int, Stride1D.Dense> _correct;      // [1] an evaluation's count of right answers
    MemoryBuffer1D<int, Stride1D.Dense>? _testRows;             // [N] 0..N−1: the test split's rows, uploaded on first evaluation
    long _applied;                                               // optimizer updates applied (skipped steps are not)
    int _loadedEpoch = -1;

    /// <param name="gemm">The GEMM forms (cuBLAS, the host twin in tests); null: ILGPU's tiled kernel.</param>
    /// <param name="initialTheta">θ₀ in layout order, or null for the options' initialiser and seed.</param>
    public DeviceTrainer(GpuRuntime runtime, TrainingOptions options, DataSplit train, float[]? initialTheta = null)
        : this(runtime, options, train, null, initialTheta)
    {
    }

    internal DeviceTrainer(GpuRuntime runtime, TrainingOptions options, DataSplit train, Func<IGemmForms>? gemm, float[]? initialTheta)
        : this(runtime, options, train, gemm, initialTheta, null, 0)
    {
    }

    /// <summary>A run that goes on from <paramref name="start"/>: θ, the optimizer's state and the next step (the parameter server's mirror).</summary>
    internal static DeviceTrainer From(GpuRuntime runtime, TrainingOptions options, DataSplit train, Func<IGemmForms>? gemm, ResidentStart start)
    {
        ArgumentNullException.ThrowIfNull(start);
        return new DeviceTrainer(runtime, options, train, gemm, start.Theta, start.Optimizer, start.NextStep);
    }

    DeviceTrainer(GpuRuntime runtime, TrainingOptions options, DataSplit train, Func<IGemmForms>? gemm, float[]? initialTheta, Optimizer? optimizer, long nextStep)
    {
        ArgumentNullException.ThrowIfNull(runtime);
        ArgumentNullException.ThrowIfNull(train);
        if (Supports(options) is { } unsupported) throw new ThresherInputException(unsupported);
        train.ValidateFor(options.Layers.Inputs, options.Layers.Outputs);
        _runtime = runtime;
        Options = options;
        Layout = new ParameterLayout(options.Layers);
        Schedule = WorkerGradient.CreateSchedule(options, train.Count, 1, fixedShards: false);
        TotalSteps = options.TotalSteps(Schedule.StepsPerEpoch);
        _schedule = new LearningRateSchedule(options.Schedule, options.LearningRate, Math.Max(1, TotalSteps));
        var theta = initialTheta ?? new float[Layout.TotalLength];
        if (theta.Length != Layout.TotalLength)
            throw new ThresherInputException($"initial parameters have {theta.Length} floats; layers {options.Layers} need {Layout.TotalLength}");
        if (initialTheta is null) Initializer.Initialize(theta, Layout, options.Init, options.Seed);
        if (nextStep < 0 || nextStep > TotalSteps) throw new ArgumentOutOfRangeException(nameof(nextStep), nextStep, $"the run has {TotalSteps} steps");
        Step = nextStep;
        _applied = optimizer?.Steps ?? 0;
        int epochRows = Schedule.StepsPerEpoch * Schedule.GlobalBatch;
        var a = runtime.Accelerator;
        lock (runtime.Gate)
        {
            a.Bind();
            _data = runtime.Upload(train);
            _pass = new MlpPass(runtime, Layout, options.Batch, gemm?.Invoke() ?? new TiledGemmForms(runtime.Kernels));
            _update = new DeviceUpdate(runtime, Layout, options.Optimizer, options.Clip);
            if (optimizer is not null) _update.LoadState(optimizer);
            _theta = a.Allocate1D<float>(Layout.TotalLength);
            _grad = a.Allocate1D<float>(Layout.TotalLength);
            _theta.View.CopyFromCPU(theta);
            _epochRows = a.Allocate1D<int>(epochRows);
            _epochRowsHost = a.AllocatePageLocked1D<int>(epochRows);
            _sumsHost = a.AllocatePageLocked1D<double>(1 + _update.Tensors);
            _correct = a.Allocate1D<int>(1);
        }
    }

    public TrainingOptions Options { get; }

    public ParameterLayout Layout { get; }

    /// <summary>The batch plan (one worker, batch mode): the CPU trainer's.</summary>
    public BatchSchedule Schedule { get; }

    public long TotalSteps { get; }

    /// <summary>Index of the next step.</summary>
    public long Step { get; private set; }

    public bool Done => Step >= TotalSteps;

    /// <summary>Host syncs made by <see cref="TrainStep"/> so far: one per step.</summary>
    public long StepSyncs { get; private set; }

    /// <summary>Which GEMMs run ("cublas fp32 (libcublas.so.13)", "ilgpu tiled fp32").</summary>
    public string GemmName => _pass.Gemm.Name;

    /// <summary>"device loop on ilgpu-cpu: …, GEMMs ilgpu tiled fp32".</summary>
    public string Name => $"device loop on {_runtime.Name}, GEMMs {GemmName}";

    /// <summary>Null when the device loop can run <paramref name="options"/>; else one line naming what it cannot do.</summary>
    public static string? Supports(TrainingOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        return ResidentTraining.Refusal(options);
    }

    /// <summary>Runs the next step on the device and returns its statistics (one host sync).</summary>
    public StepStatistics TrainStep()
    {
        if (Done) throw new InvalidOperationException($"the run has {TotalSteps} steps; all ran");
        int batch = Schedule.GlobalBatch, epoch = Schedule.EpochOf(Step), inEpoch = (int)(Step - (long)epoch * Schedule.StepsPerEpoch);
        double learningRate = _schedule.At(Step);
        lock (_runtime.Gate)
        {
            _runtime.Accelerator.Bind();
            var stream = _runtime.Accelerator.DefaultStream;
            if (epoch != _loadedEpoch) LoadEpoch(stream, epoch);
            var rows = _epochRows.View.SubView((long)inEpoch * batch, batch);
            _pass.Run(stream, _data, rows, batch, _theta.View, _grad.View, _update.Sums.View.SubView(0, 1), Options.InputScale, Options.Loss, 1f / batch);
            _update.Measure(stream, _grad.View);
            _update.Apply(stream, _theta.View, _grad.View, learningRate, _applied);
            _update.Sums.View.CopyToPageLockedAsync(stream, _sumsHost);
            _runtime.Synchronize(stream);
            StepSyncs++;
        }
        return Record(learningRate);
    }

    /// <summary>The step's statistics from the synced sums, as Core's UpdateRule reports them.</summary>
    StepStatistics Record(double learningRate)
    {
        var sums = _sumsHost.Span;
        double meanLoss = sums[0] / Schedule.GlobalBatch, total = 0;
        var tensorNorms = new double[_update.Tensors];
        for (int k = 0; k < tensorNorms.Length; k++)
        {
            tensorNorms[k] = Math.Sqrt(sums[1 + k]);
            total += sums[1 + k];
        }
        double norm = Math.Sqrt(total);
        bool finite = double.IsFinite(norm);
        if (!finite && Options.NonFinite == NonFinitePolicy.Abort)
            throw new NonFiniteGradientException($"step {Step}: the gradient's global norm is {norm} (loss {meanLoss}); the run was aborted (policy abort). Lower the learning rate, clip, or use --nonfinite skip.");
        float scale = Options.Clip is float c ? ClipOps.ClipScale(norm, c) : 1f;
        double clipped = Options.Clip is float cn && finite ? Math.Min(norm, cn) : norm;
        if (finite) _applied++;
        var stats = new StepStatistics(Step, meanLoss, norm, clipped, scale, scale < 1f, !finite, tensorNorms, learningRate)
        {
            ClipThreshold = Options.Clip ?? double.PositiveInfinity,
        };
        Step++;
        return stats;
    }

    /// <summary>Epoch <paramref name="epoch"/>'s rows, step after step, uploaded asynchronously (the staging buffer is free: the previous step synced).</summary>
    void LoadEpoch(AcceleratorStream stream, int epoch)
    {
        var host = _epochRowsHost.Span;
        int batch = Schedule.GlobalBatch;
        long first = (long)epoch * Schedule.StepsPerEpoch;
        for (int s = 0; s < Schedule.StepsPerEpoch; s++) Schedule.GlobalBatchIndices(first + s, host.Slice(s * batch, batch));
        _epochRows.View.CopyFromPageLockedAsync(stream, _epochRowsHost);
        _loadedEpoch = epoch;
    }

    /// <summary>θ (layout order) copied to the host; a sync of its own, outside the step count.</summary>
    public float[] DownloadTheta()
    {
        var theta = new float[Layout.TotalLength];
        ReadParameters(theta);
        return theta;
    }

    /// <summary>θ (layout order) into <paramref name="theta"/>; a sync of its own, outside the step count.</summary>
    public void ReadParameters(Span<float> theta)
    {
        if (theta.Length != Layout.TotalLength) throw new ArgumentException($"θ has {Layout.TotalLength} floats, not {theta.Length}", nameof(theta));
        lock (_runtime.Gate)
        {
            _runtime.Accelerator.Bind();
            _runtime.Synchronize(_runtime.Accelerator.DefaultStream);
            _theta.View.AsContiguous().CopyToCPU(theta);
        }
    }

    /// <summary>The optimizer's buffers and applied-update count into <paramref name="optimizer"/> (of this run's kind); a sync of its own.</summary>
    public void ReadOptimizer(Optimizer optimizer)
    {
        ArgumentNullException.ThrowIfNull(optimizer);
        lock (_runtime.Gate)
        {
            _runtime.Accelerator.Bind();
            _runtime.Synchronize(_runtime.Accelerator.DefaultStream);
            _update.ReadState(optimizer, _applied);
        }
    }

    /// <summary>
    /// Test-set accuracy of θ now, in [0, 1], on the device: the split uploaded once, the forward pass in chunks of the
    /// batch, an arg-max count per chunk, one host sync for the count (outside <see cref="StepSyncs"/>). The same rule as
    /// Core's evaluator (the first largest logit); logits may differ from the host's by rounding, so a row whose two best
    /// logits tie to rounding can count differently.
    /// </summary>
    public double Accuracy(DataSplit test)
    {
        ArgumentNullException.ThrowIfNull(test);
        if (test.Count == 0) return double.NaN;
        test.ValidateFor(Options.Layers.Inputs, Options.Layers.Outputs);
        var count = new int[1];
        lock (_runtime.Gate)
        {
            _runtime.Accelerator.Bind();
            var stream = _runtime.Accelerator.DefaultStream;
            var data = _runtime.Upload(test);
            if (_testRows is null || _testRows.Length < test.Count)
            {
                _testRows?.Dispose();
                _testRows = _runtime.Accelerator.Allocate1D(Enumerable.Range(0, test.Count).ToArray());
            }
            _correct.View.MemSetToZero(stream);
            for (int start = 0; start < test.Count; start += _pass.MaxBatch)
            {
                int n = Math.Min(_pass.MaxBatch, test.Count - start);
                _pass.Forward(stream, data, _testRows.View.SubView(start, n), n, _theta.View, Options.InputScale);
                _pass.CountCorrect(stream, _correct.View, n);
            }
            _runtime.Synchronize(stream);
            _correct.View.CopyToCPU(count);
        }
        return (double)count[0] / test.Count;
    }

    /// <summary>Test-set accuracy of the current θ in [0, 1] (Core's evaluator on the host, <paramref name="threads"/> threads).</summary>
    public double Evaluate(DataSplit test, int threads)
    {
        ArgumentNullException.ThrowIfNull(test);
        return Evaluation.Accuracy(new Mlp(Options.Layers, 1000, threads), DownloadTheta(), test, Options.InputScale);
    }

    public void Dispose()
    {
        lock (_runtime.Gate)
        {
            _runtime.Accelerator.Bind();
            _pass.Dispose();
            _update.Dispose();
            _theta.Dispose();
            _grad.Dispose();
            _epochRows.Dispose();
            _epochRowsHost.Dispose();
            _sumsHost.Dispose();
            _correct.Dispose();
            _testRows?.Dispose();
        }
    }
}
