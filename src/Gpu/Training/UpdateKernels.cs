using ILGPU;
using ILGPU.Algorithms;
using Thresher.Core.Kernels;

namespace Thresher.Gpu;

/// <summary>SGD's scalars of one step for the device kernel (Core's <see cref="SgdStep"/> with its flags as ints).</summary>
internal readonly record struct SgdScalars(float LearningRate, float Momentum, float Keep, int Nesterov, float WeightDecay, int First)
{
    public static SgdScalars From(in SgdStep s) =>
        new(s.LearningRate, s.Momentum, 1f - s.Dampening, s.Nesterov ? 1 : 0, s.WeightDecay, s.First ? 1 : 0);
}

/// <summary>
/// The parameter server's half of a step on the device: the gradient's per-tensor Σg² (double), the global norm and
/// clip_by_global_norm's scale (TensorFlow's rule, as Core's ClipOps.ClipScale), and the optimizer updates, which
/// read the scale from device memory and leave θ untouched when it is NaN (a non-finite gradient: the step is
/// skipped, as Core's UpdateRule does under policy skip). Element semantics and operation order are Core's naive
/// twins' (<see cref="AdamNaive"/>, <see cref="SgdNaive"/>). All explicitly grouped: each computes its index.
/// Buffers: chunkStart/chunkLength [C] cut θ's layout into chunks that never cross a tensor; tensorChunks [K+1]
/// gives each tensor's first chunk; sums [1 + K] holds the loss sum then each tensor's Σg²; scale [1] the clip scale.
/// </summary>
internal static class UpdateKernels
{
    /// <summary>partial[c] = Σ grad[i]² over chunk c (double): one group per chunk, strided loads, a tree in shared memory.</summary>
    public static void SquarePartials(ArrayView<double> partial, ArrayView<float> grad, ArrayView<int> chunkStart, ArrayView<int> chunkLength)
    {
        var shared = SharedMemory.GetDynamic<double>();
        int c = Grid.IdxX, t = Group.IdxX, size = Group.DimX;
        int start = chunkStart[c], length = chunkLength[c];
        double sum = 0;
        for (int i = t; i < length; i += size)
        {
            double g = grad[start + i];
            sum += g * g;
        }
        shared[t] = sum;
        Group.Barrier();
        for (int half = size / 2; half > 0; half /= 2)
        {
            if (t < half) shared[t] += shared[t + half];
            Group.Barrier();
        }
        if (t == 0) partial[c] = shared[0];
    }

    /// <summary>
    /// One thread: sums[1 + k] = Σ partial over tensor k's chunks (in order); n = √Σ_k sums[1 + k] (layout order);
    /// scale[0] = NaN when n is not finite, 1 when n ≤ c or there is no clipping (clip ≤ 0), else c / (float)n.
    /// </summary>
    public static void ClipScale(ArrayView<double> sums, ArrayView<float> scale, ArrayView<double> partial, ArrayView<int> tensorChunks, float clip)
    {
        if (Grid.GlobalIndex.X != 0) return;
        int tensors = tensorChunks.IntLength - 1;
        double total = 0;
        for (int k = 0; k < tensors; k++)
        {
            double sum = 0;
            for (int c = tensorChunks[k]; c < tensorChunks[k + 1]; c++) sum += partial[c];
            sums[1 + k] = sum;
            total += sum;
        }
        double norm = XMath.Sqrt(total);
        if (XMath.IsNaN(norm) || XMath.IsInfinity(norm)) scale[0] = float.NaN;
        else if (clip <= 0f || norm <= clip) scale[0] = 1f;
        else
        {
            float n = (float)norm;
            scale[0] = XMath.IsInfinity(n) ? (float)(clip / norm) : clip / n;
        }
    }

    /// <summary>Adam/AdamW per element as <see cref="AdamNaive.Update"/>, with s = scale[0]; nothing when s is NaN.</summary>
    public static void Adam(ArrayView<float> theta, ArrayView<float> grad, ArrayView<float> expAvg, ArrayView<float> expAvgSq, ArrayView<float> scale, AdamStep s)
    {
        int i = Grid.GlobalIndex.X;
        float clipScale = scale[0];
        if (i >= theta.IntLength || XMath.IsNaN(clipScale)) return;
        float t = theta[i] * s.Decay;
        float d = clipScale * grad[i] + s.L2 * t;
        float m = expAvg[i];
        m += (1f - s.Beta1) * (d - m);
        float v = s.Beta2 * expAvgSq[i] + (1f - s.Beta2) * d * d;
        expAvg[i] = m;
        expAvgSq[i] = v;
        float denom = XMath.Sqrt(v) / s.Bias2Sqrt + s.Eps;
        theta[i] = t - s.StepSize * (m / denom);
    }

    /// <summary>SGD per element as <see cref="SgdNaive.Update(Span{float}, ReadOnlySpan{float}, Span{float}, in SgdStep)"/>, with s = scale[0]; nothing when s is NaN.</summary>
    public static void Sgd(ArrayView<float> theta, ArrayView<float> grad, ArrayView<float> velocity, ArrayView<float> scale, SgdScalars s)
    {
        int i = Grid.GlobalIndex.X;
        float clipScale = scale[0];
        if (i >= theta.IntLength || XMath.IsNaN(clipScale)) return;
        float d = clipScale * grad[i];
        if (s.WeightDecay != 0f) d += s.WeightDecay * theta[i];
        if (s.Momentum != 0f)
        {
            float v = s.First != 0 ? d : s.Momentum * velocity[i] + s.Keep * d;
            velocity[i] = v;
            d = s.Nesterov != 0 ? d + s.Momentum * v : v;
        }
        theta[i] -= s.LearningRate * d;
    }
}
