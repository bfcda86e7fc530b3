using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Thresher.Core.Kernels;

/// <summary>
/// The scalars of one torch.optim.SGD step on a span. <see cref="Momentum"/> 0 is plain SGD (velocity unused, may be
/// empty); <see cref="Scale"/> folds clip_by_global_norm's factor into the gradient; <see cref="First"/> is true on
/// the optimizer's first applied step, when PyTorch sets the momentum buffer to the gradient itself (no dampening).
/// </summary>
public readonly record struct SgdStep(float LearningRate, float Momentum, float Dampening, bool Nesterov, float WeightDecay, float Scale, bool First);

/// <summary>SGD update kernel with PyTorch's semantics (momentum, dampening, nesterov, L2 weight decay are parameters).</summary>
public static class Sgd
{
    /// <summary>
    /// Per element, as torch.optim.SGD: d = s·g + wd·θ (wd term only when wd ≠ 0); with momentum μ:
    /// v = d on the first step, else v = μ·v + (1 − dampening)·d, and d = nesterov ? d + μ·v : v; then θ −= lr·d.
    /// θ, g (and v when μ ≠ 0) have the same length.
    /// </summary>
    public static void Update(Span<float> theta, ReadOnlySpan<float> grad, Span<float> velocity, in SgdStep step)
        => Update(theta, grad, velocity, step, VectorWidths.Best);

    /// <summary>Plain or heavy-ball SGD: v = μ·v + s·g; θ −= lr·v (μ 0: θ −= lr·(s·g)), no dampening or decay.</summary>
    public static void Update(Span<float> theta, ReadOnlySpan<float> grad, Span<float> velocity, float lr, float momentum, float scale)
        => Update(theta, grad, velocity, new SgdStep(lr, momentum, 0f, false, 0f, scale, false), VectorWidths.Best);

    /// <summary><see cref="Update(Span{float}, ReadOnlySpan{float}, Span{float}, in SgdStep)"/> with its widest vector forced (tests run each branch).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // a hot loop: fully optimised at its first call, not after tiering (README, Performance)
    internal static void Update(Span<float> theta, ReadOnlySpan<float> grad, Span<float> velocity, in SgdStep step, VectorWidth width)
    {
        const string Name = nameof(Sgd) + "." + nameof(Update);
        KernelThrow.CheckLength(Name, nameof(grad), grad.Length, theta.Length);
        if (step.Momentum != 0f) KernelThrow.CheckLength(Name, nameof(velocity), velocity.Length, theta.Length);
        nuint i = width >= VectorWidth.Vector512 ? Vector512Body(theta, grad, velocity, step)
            : width >= VectorWidth.Vector256 ? Vector256Body(theta, grad, velocity, step)
            : 0;
        SgdNaive.Update(theta[(int)i..], grad[(int)i..theta.Length], step.Momentum != 0f ? velocity[(int)i..] : [], step);
    }

    /// <summary>The whole vectors of 16; returns where the scalar tail starts. Operation order as <see cref="SgdNaive"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // a hot loop: fully optimised at its first call, not after tiering (README, Performance)
    static nuint Vector512Body(Span<float> theta, ReadOnlySpan<float> grad, Span<float> velocity, in SgdStep s)
    {
        ref float t = ref MemoryMarshal.GetReference(theta);
        ref float g = ref MemoryMarshal.GetReference(grad);
        ref float v = ref MemoryMarshal.GetReference(velocity);
        float keep = 1f - s.Dampening;
        nuint len = (nuint)theta.Length, i = 0;
        for (; i + 16 <= len; i += 16)
        {
            var ti = Vector512.LoadUnsafe(ref t, i);
            var d = s.Scale * Vector512.LoadUnsafe(ref g, i);
            if (s.WeightDecay != 0f) d += s.WeightDecay * ti;
            if (s.Momentum != 0f)
            {
                var vi = s.First ? d : s.Momentum * Vector512.LoadUnsafe(ref v, i) + keep * d;
                vi.StoreUnsafe(ref v, i);
                d = s.Nesterov ? d + s.Momentum * vi : vi;
            }
            (ti - s.LearningRate * d).StoreUnsafe(ref t, i);
        }
        return i;
    }

    /// <summary>The whole vectors of 8; returns where the scalar tail starts.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // a hot loop: fully optimised at its first call, not after tiering (README, Performance)
    static nuint Vector256Body(Span<float> theta, ReadOnlySpan<float> grad, Span<float> velocity, in SgdStep s)
    {
        ref float t = ref MemoryMarshal.GetReference(theta);
        ref float g = ref MemoryMarshal.GetReference(grad);
        ref float v = ref MemoryMarshal.GetReference(velocity);
        float keep = 1f - s.Dampening;
        nuint len = (nuint)theta.Length, i = 0;
        for (; i + 8 <= len; i += 8)
        {
            var ti = Vector256.LoadUnsafe(ref t, i);
            var d = s.Scale * Vector256.LoadUnsafe(ref g, i);
            if (s.WeightDecay != 0f) d += s.WeightDecay * ti;
            if (s.Momentum != 0f)
            {
                var vi = s.First ? d : s.Momentum * Vector256.LoadUnsafe(ref v, i) + keep * d;
                vi.StoreUnsafe(ref v, i);
                d = s.Nesterov ? d + s.Momentum * vi : vi;
            }
            (ti - s.LearningRate * d).StoreUnsafe(ref t, i);
        }
        return i;
    }
}
