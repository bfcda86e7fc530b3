using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Thresher.Core.Kernels;

/// <summary>
/// The scalars of one Adam/AdamW step (torch.optim.Adam/AdamW, amsgrad off), computed once per step in double by the
/// caller as PyTorch does in Python floats: t is the optimizer's step count after this step (1 on the first).
/// </summary>
/// <param name="Scale">clip_by_global_norm's factor, folded into the gradient.</param>
/// <param name="L2">Adam's weight decay, added to the gradient (g + wd·θ); 0 for AdamW.</param>
/// <param name="Decay">AdamW's decoupled decay factor 1 − lr·wd applied to θ first; 1 for Adam.</param>
/// <param name="StepSize">lr / (1 − β1^t).</param>
/// <param name="Bias2Sqrt">√(1 − β2^t).</param>
public readonly record struct AdamStep(float Scale, float Beta1, float Beta2, float Eps, float L2, float Decay, float StepSize, float Bias2Sqrt)
{
    /// <summary>The scalars of step <paramref name="t"/> (≥ 1) at learning rate <paramref name="lr"/>.</summary>
    public static AdamStep At(long t, double lr, float scale, float beta1, float beta2, float eps, float weightDecay, bool decoupled)
    {
        double bias1 = 1 - Math.Pow(beta1, t), bias2 = 1 - Math.Pow(beta2, t);
        return new AdamStep(scale, beta1, beta2, eps,
            L2: decoupled ? 0f : weightDecay,
            Decay: decoupled ? (float)(1 - lr * weightDecay) : 1f,
            StepSize: (float)(lr / bias1),
            Bias2Sqrt: (float)Math.Sqrt(bias2));
    }
}

/// <summary>Fused Adam/AdamW update kernel: reads g once and θ, m, v once each, writes θ, m, v.</summary>
public static class Adam
{
    /// <summary>
    /// Per element, as torch.optim.Adam/AdamW: θ ← θ·decay; d = s·g + l2·θ; m ← m + (1 − β1)·(d − m) (torch's lerp);
    /// v ← β2·v + (1 − β2)·d·d; θ ← θ − stepSize·m / (√v / √(1 − β2^t) + ε). θ, g, m, v have the same length.
    /// </summary>
    public static void Update(Span<float> theta, ReadOnlySpan<float> grad, Span<float> expAvg, Span<float> expAvgSq, in AdamStep step)
        => Update(theta, grad, expAvg, expAvgSq, step, VectorWidths.Best);

    /// <summary><see cref="Update(Span{float}, ReadOnlySpan{float}, Span{float}, Span{float}, in AdamStep)"/> with its widest vector forced.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // a hot loop: fully optimised at its first call, not after tiering (README, Performance)
    internal static void Update(Span<float> theta, ReadOnlySpan<float> grad, Span<float> expAvg, Span<float> expAvgSq, in AdamStep step, VectorWidth width)
    {
        const string Name = nameof(Adam) + "." + nameof(Update);
        KernelThrow.CheckLength(Name, nameof(grad), grad.Length, theta.Length);
        KernelThrow.CheckLength(Name, nameof(expAvg), expAvg.Length, theta.Length);
        KernelThrow.CheckLength(Name, nameof(expAvgSq), expAvgSq.Length, theta.Length);
        nuint i = width >= VectorWidth.Vector512 ? Vector512Body(theta, grad, expAvg, expAvgSq, step)
            : width >= VectorWidth.Vector256 ? Vector256Body(theta, grad, expAvg, expAvgSq, step)
            : 0;
        int k = (int)i;
        AdamNaive.Update(theta[k..], grad[k..theta.Length], expAvg[k..theta.Length], expAvgSq[k..theta.Length], step);
    }

    /// <summary>The whole vectors of 16; returns where the scalar tail starts. Operation order as <see cref="AdamNaive"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // a hot loop: fully optimised at its first call, not after tiering (README, Performance)
    static nuint Vector512Body(Span<float> theta, ReadOnlySpan<float> grad, Span<float> expAvg, Span<float> expAvgSq, in AdamStep s)
    {
        ref float t = ref MemoryMarshal.GetReference(theta);
        ref float g = ref MemoryMarshal.GetReference(grad);
        ref float m = ref MemoryMarshal.GetReference(expAvg);
        ref float v = ref MemoryMarshal.GetReference(expAvgSq);
        float oneMinusBeta1 = 1f - s.Beta1, oneMinusBeta2 = 1f - s.Beta2;
        nuint len = (nuint)theta.Length, i = 0;
        for (; i + 16 <= len; i += 16)
        {
            var ti = Vector512.LoadUnsafe(ref t, i) * s.Decay;
            var d = s.Scale * Vector512.LoadUnsafe(ref g, i) + s.L2 * ti;
            var mi = Vector512.LoadUnsafe(ref m, i);
            mi += oneMinusBeta1 * (d - mi);
            var vi = s.Beta2 * Vector512.LoadUnsafe(ref v, i) + oneMinusBeta2 * d * d;
            mi.StoreUnsafe(ref m, i);
            vi.StoreUnsafe(ref v, i);
            var denom = Vector512.Sqrt(vi) / s.Bias2Sqrt + Vector512.Create(s.Eps);
            (ti - s.StepSize * (mi / denom)).StoreUnsafe(ref t, i);
        }
        return i;
    }

    /// <summary>The whole vectors of 8; returns where the scalar tail starts.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // a hot loop: fully optimised at its first call, not after tiering (README, Performance)
    static nuint Vector256Body(Span<float> theta, ReadOnlySpan<float> grad, Span<float> expAvg, Span<float> expAvgSq, in AdamStep s)
    {
        ref float t = ref MemoryMarshal.GetReference(theta);
        ref float g = ref MemoryMarshal.GetReference(grad);
        ref float m = ref MemoryMarshal.GetReference(expAvg);
        ref float v = ref MemoryMarshal.GetReference(expAvgSq);
        float oneMinusBeta1 = 1f - s.Beta1, oneMinusBeta2 = 1f - s.Beta2;
        nuint len = (nuint)theta.Length, i = 0;
        for (; i + 8 <= len; i += 8)
        {
            var ti = Vector256.LoadUnsafe(ref t, i) * s.Decay;
            var d = s.Scale * Vector256.LoadUnsafe(ref g, i) + s.L2 * ti;
            var mi = Vector256.LoadUnsafe(ref m, i);
            mi += oneMinusBeta1 * (d - mi);
            var vi = s.Beta2 * Vector256.LoadUnsafe(ref v, i) + oneMinusBeta2 * d * d;
            mi.StoreUnsafe(ref m, i);
            vi.StoreUnsafe(ref v, i);
            var denom = Vector256.Sqrt(vi) / s.Bias2Sqrt + Vector256.Create(s.Eps);
            (ti - s.StepSize * (mi / denom)).StoreUnsafe(ref t, i);
        }
        return i;
    }
}
