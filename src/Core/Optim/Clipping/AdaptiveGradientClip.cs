using System.Numerics.Tensors;
using Thresher.Core.Model;
using Thresher.Core.Training;

namespace Thresher.Core.Optim.Clipping;

/// <summary>
/// Adaptive gradient clipping (Brock et al. 2021, "High-Performance Large-Scale Image Recognition Without
/// Normalization", NFNets), unit-wise: for each output unit i of a layer, with G_i its gradient and W_i its
/// parameters, G_i ← G_i · λ·max(‖W_i‖, ε) / max(‖G_i‖, 1e-6) when ‖G_i‖ &gt; λ·max(‖W_i‖, ε), ε = 1e-3 (the
/// reference's unitwise_norm / my_clip in deepmind-research nfnets/agc_optax.py).
/// Layout: w_k is [in, out] row-major (h = x·w), so unit i is column i of w_k — in, strided by out — and, as the
/// issue asks, b_k[i] with it: ‖W_i‖² = Σ_j w_k[j, i]² + b_k[i]² and the same for G_i (the reference clips a bias
/// vector as one unit of its own). The output layer is left out unless <see cref="IncludeLast"/> (the paper's advice).
/// Norms are summed in double; g is rescaled in place in a pass of its own before the update (<see cref="ScaleUnits"/>).
/// Reported: threshold λ, post-clip norm the global norm after the pass, scale post/pre. Stateless.
/// </summary>
public sealed class AdaptiveGradientClip : ClipPolicy
{
    public const double ParameterEpsilon = 1e-3;
    public const double GradientEpsilon = 1e-6;

    readonly ParameterLayout _layout;

    public AdaptiveGradientClip(ParameterLayout layout, double lambda, bool includeLast)
    {
        ArgumentNullException.ThrowIfNull(layout);
        if (!(lambda > 0 && double.IsFinite(lambda))) throw new ArgumentOutOfRangeException(nameof(lambda), lambda, "λ must be a finite number > 0");
        (_layout, Lambda, IncludeLast) = (layout, lambda, includeLast);
    }

    public double Lambda { get; }

    public bool IncludeLast { get; }

    public override ClipPolicyKind Kind => ClipPolicyKind.Agc;

    public override bool ScalesUnits => true;

    /// <summary>The pre-pass decision: nothing folded into the update (scale 1); <see cref="ScaleUnits"/> does the clipping.</summary>
    public override ClipDecision Decide(double[] tensorNorms, double globalNorm)
        => new(tensorNorms, globalNorm, double.IsFinite(globalNorm) ? 1f : float.NaN, globalNorm) { Threshold = Lambda };

    public override double ScaleUnits(Span<float> gradient, ReadOnlySpan<float> theta)
    {
        if (gradient.Length != _layout.TotalLength || theta.Length != _layout.TotalLength)
            throw new ArgumentException($"g has {gradient.Length} and θ {theta.Length} floats; the layout needs {_layout.TotalLength}");
        double sumOfSquares = 0;
        foreach (double layer in ScaleLayers(gradient, theta, 0, _layout.Config.Depth))
            sumOfSquares += layer;
        return Math.Sqrt(sumOfSquares);
    }

    /// <summary>
    /// The pass on layers [<paramref name="firstLayer"/>, firstLayer + <paramref name="layers"/>) of a slice that starts
    /// at the first of them (a parameter-server shard's: g and θ hold exactly those layers' w and b). Returns each
    /// layer's post-clip Σ w² + Σ b² (added in that grouping): the global post-clip Σ is their sum in layer order.
    /// </summary>
    public double[] ScaleLayers(Span<float> gradient, ReadOnlySpan<float> theta, int firstLayer, int layers)
    {
        int depth = _layout.Config.Depth;
        if (firstLayer < 0 || layers < 0 || firstLayer + layers > depth)
            throw new ArgumentOutOfRangeException(nameof(layers), $"layers {firstLayer}..{firstLayer + layers - 1} of {depth}");
        int origin = _layout.Weight(firstLayer).Offset;
        var sums = new double[layers];
        for (int i = 0; i < layers; i++)
        {
            int l = firstLayer + i;
            var w = _layout.Weight(l);
            var b = _layout.Bias(l);
            var dW = gradient.Slice(w.Offset - origin, w.Length);
            var dB = gradient.Slice(b.Offset - origin, b.Length);
            if (l < depth - 1 || IncludeLast)
                ClipLayer(dW, dB, theta.Slice(w.Offset - origin, w.Length), theta.Slice(b.Offset - origin, b.Length), w.Shape[0], w.Shape[1]);
            sums[i] = SumOfSquares(dW) + SumOfSquares(dB);
        }
        return sums;
    }

    /// <summary>One layer: dW [rows, units] and dB [units] rescaled per unit (column + bias) against W [rows, units], B [units].</summary>
    void ClipLayer(Span<float> dW, Span<float> dB, ReadOnlySpan<float> w, ReadOnlySpan<float> b, int rows, int units)
    {
        var gradientSquares = new double[units];
        var parameterSquares = new double[units];
        for (int i = 0; i < units; i++)
        {
            gradientSquares[i] = (double)dB[i] * dB[i];
            parameterSquares[i] = (double)b[i] * b[i];
        }
        for (int j = 0; j < rows; j++)
        {
            var gradientRow = dW.Slice(j * units, units);
            var parameterRow = w.Slice(j * units, units);
            for (int i = 0; i < units; i++)
            {
                gradientSquares[i] += (double)gradientRow[i] * gradientRow[i];
                parameterSquares[i] += (double)parameterRow[i] * parameterRow[i];
            }
        }
        var scales = new float[units];
        for (int i = 0; i < units; i++)
        {
            double gradientNorm = Math.Sqrt(gradientSquares[i]);
            double maxNorm = Lambda * Math.Max(Math.Sqrt(parameterSquares[i]), ParameterEpsilon);
            scales[i] = gradientNorm > maxNorm ? (float)(maxNorm / Math.Max(gradientNorm, GradientEpsilon)) : 1f;
        }
        for (int j = 0; j < rows; j++)
        {
            var gradientRow = dW.Slice(j * units, units);
            TensorPrimitives.Multiply(gradientRow, scales, gradientRow);
        }
        TensorPrimitives.Multiply(dB, scales, dB);
    }

    static double SumOfSquares(ReadOnlySpan<float> values)
    {
        double sum = 0;
        foreach (float v in values) sum += (double)v * v;
        return sum;
    }
}
