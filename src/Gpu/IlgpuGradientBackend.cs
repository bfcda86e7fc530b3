using ILGPU;
using ILGPU.Runtime;
using Thresher.Core.Backends;
using Thresher.Core.Data;
using Thresher.Core.Model;

namespace Thresher.Gpu;

/// <summary>
/// One worker's forward/backward on an ILGPU accelerator, step for step the same as <see cref="Mlp.Gradient"/>.
/// The dataset split lives on the device (uploaded once); per step θ [P] and the row indices [B] go in, the
/// gradient [P] and the loss sum come back, through page-locked staging buffers with asynchronous copies, so the
/// step waits for the device once (<see cref="GpuRuntime.HostSyncs"/> counts it). Activations never leave the device.
/// GEMMs run on cuBLAS when the factory found it, else on ILGPU's tiled kernel (<see cref="IGemmForms"/>).
/// </summary>
public sealed class IlgpuGradientBackend : IGradientBackend
{
    readonly GpuRuntime _runtime;
    readonly ParameterLayout _layout;
    readonly MlpPass _pass;
    readonly MemoryBuffer1D<float, Stride1D.Dense> _theta;     // [P]
    readonly MemoryBuffer1D<float, Stride1D.Dense> _grad;      // [P]
    readonly MemoryBuffer1D<int, Stride1D.Dense> _rows;        // [B]
    readonly MemoryBuffer1D<double, Stride1D.Dense> _lossSum;  // [1]
    readonly PageLockedArray1D<float> _thetaHost;              // [P] staging, page-locked for async copies
    readonly PageLockedArray1D<float> _gradHost;               // [P]
    readonly PageLockedArray1D<int> _rowsHost;                 // [B]
    readonly PageLockedArray1D<double> _lossHost;              // [1]

    /// <param name="gemm">The GEMM forms to use, owned from here on; null: ILGPU's tiled kernel.</param>
    internal IlgpuGradientBackend(GpuRuntime runtime, MlpConfig layers, int maxBatch, Func<IGemmForms>? gemm)
    {
        ArgumentNullException.ThrowIfNull(runtime);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxBatch, 1);
        _runtime = runtime;
        _layout = new ParameterLayout(layers);
        var a = runtime.Accelerator;
        lock (runtime.Gate)
        {
            a.Bind();
            _pass = new MlpPass(runtime, _layout, maxBatch, gemm?.Invoke() ?? new TiledGemmForms(runtime.Kernels));
            _theta = a.Allocate1D<float>(_layout.TotalLength);
            _grad = a.Allocate1D<float>(_layout.TotalLength);
            _rows = a.Allocate1D<int>(maxBatch);
            _lossSum = a.Allocate1D<double>(1);
            _thetaHost = a.AllocatePageLocked1D<float>(_layout.TotalLength);
            _gradHost = a.AllocatePageLocked1D<float>(_layout.TotalLength);
            _rowsHost = a.AllocatePageLocked1D<int>(maxBatch);
            _lossHost = a.AllocatePageLocked1D<double>(1);
        }
    }

    public IlgpuGradientBackend(GpuRuntime runtime, MlpConfig layers, int maxBatch)
        : this(runtime, layers, maxBatch, null)
    {
    }

    public string Name => _runtime.Name;

    /// <summary>Which GEMMs the backend runs ("ilgpu tiled fp32", "cublas tf32 (libcublas.so.13)").</summary>
    public string GemmName => _pass.Gemm.Name;

    public double Gradient(Span<float> grad, ReadOnlySpan<float> theta, DataSplit split, ReadOnlySpan<int> rows, float inputScale, LossKind loss, float gradScale)
    {
        ArgumentNullException.ThrowIfNull(split);
        Check(grad, theta, split, rows, inputScale);
        lock (_runtime.Gate)
        {
            var accelerator = _runtime.Accelerator;
            accelerator.Bind(); // grain turns hop threads; the CUDA context must be current on this one
            var data = _runtime.Upload(split);
            var stream = accelerator.DefaultStream;
            theta.CopyTo(_thetaHost.Span);
            rows.CopyTo(_rowsHost.Span);
            _theta.View.CopyFromPageLockedAsync(stream, _thetaHost);
            _rows.View.CopyFromPageLockedAsync(stream, _rowsHost);
            _pass.Run(stream, data, _rows.View, rows.Length, _theta.View, _grad.View, _lossSum.View, inputScale, loss, gradScale);
            _grad.View.CopyToPageLockedAsync(stream, _gradHost);
            _lossSum.View.CopyToPageLockedAsync(stream, _lossHost);
            _runtime.Synchronize(stream);
            _gradHost.Span.CopyTo(grad);
            return _lossHost.Span[0];
        }
    }

    void Check(ReadOnlySpan<float> grad, ReadOnlySpan<float> theta, DataSplit split, ReadOnlySpan<int> rows, float inputScale)
    {
        if (grad.Length != _layout.TotalLength)
            throw new ArgumentException($"gradient buffer has {grad.Length} floats, layout needs {_layout.TotalLength}", nameof(grad));
        if (theta.Length != _layout.TotalLength)
            throw new ArgumentException($"parameter buffer has {theta.Length} floats, layout needs {_layout.TotalLength}", nameof(theta));
        if (rows.Length > _pass.MaxBatch)
            throw new ArgumentOutOfRangeException(nameof(rows), rows.Length, $"batch must be in 0..{_pass.MaxBatch}");
        if (split.Features != _layout.Config.Inputs)
            throw new ArgumentException($"split has {split.Features} features, the model takes {_layout.Config.Inputs}", nameof(split));
        if (!(inputScale > 0) || !float.IsFinite(inputScale))
            throw new ArgumentOutOfRangeException(nameof(inputScale), inputScale, "input scale must be a positive finite number");
        foreach (int row in rows)
        {
            if ((uint)row >= (uint)split.Count)
                throw new ArgumentOutOfRangeException(nameof(rows), row, $"sample index outside 0..{split.Count - 1} of the {split.Name} split");
        }
        if (split.MaxLabel >= _layout.Config.Outputs)
            throw new ArgumentException($"split has label {split.MaxLabel}, the model has {_layout.Config.Outputs} outputs", nameof(split));
    }

    public void Dispose()
    {
        lock (_runtime.Gate)
        {
            _runtime.Accelerator.Bind();
            _pass.Dispose();
            foreach (var buffer in new[] { _theta, _grad }) buffer.Dispose();
            _rows.Dispose();
            _lossSum.Dispose();
            _thetaHost.Dispose();
            _gradHost.Dispose();
            _rowsHost.Dispose();
            _lossHost.Dispose();
        }
    }
}
