using Thresher.Core.Model;
using Thresher.Core.Ops;
using Thresher.Core.Optim;

namespace Thresher.Core.Training;

/// <summary>
/// The parameter server's half of a step, shared by the single-process trainer and the cluster:
/// per-tensor norms → global norm → clip_by_global_norm (TensorFlow semantics) → non-finite check → SGD.
/// The clip scale is folded into the SGD update, so the gradient is read twice (norms, update) and never
/// rewritten.
/// </summary>
public sealed class UpdateRule
{
    readonly ParameterLayout _layout;

    /// <param name="clipNorm">clip_by_global_norm's c (&gt; 0, finite), or null for no clipping.</param>
    public UpdateRule(ParameterLayout layout, SgdOptimizer optimizer, float? clipNorm, NonFinitePolicy nonFinite)
    {
        ArgumentNullException.ThrowIfNull(layout);
        ArgumentNullException.ThrowIfNull(optimizer);
        if (clipNorm is float c && !(c > 0 && float.IsFinite(c)))
            throw new ArgumentOutOfRangeException(nameof(clipNorm), c, "clip norm must be a finite number > 0");
        _layout = layout;
        Optimizer = optimizer;
        ClipNorm = clipNorm;
        NonFinite = nonFinite;
    }

    public SgdOptimizer Optimizer { get; }

    public float? ClipNorm { get; }

    public NonFinitePolicy NonFinite { get; }

    /// <summary>
    /// Applies one step to θ from the mean gradient g (layout order) and returns what it measured.
    /// Throws <see cref="NonFiniteGradientException"/> under policy abort; θ is then untouched.
    /// </summary>
    public StepStatistics Apply(Span<float> theta, ReadOnlySpan<float> meanGradient, long step, double meanLoss)
    {
        if (theta.Length != _layout.TotalLength || meanGradient.Length != _layout.TotalLength)
            throw new ArgumentException($"θ has {theta.Length} floats and g {meanGradient.Length}; the layout needs {_layout.TotalLength}");
        var tensorNorms = new double[_layout.Slices.Count];
        double sumSquares = 0;
        for (int i = 0; i < tensorNorms.Length; i++)
        {
            tensorNorms[i] = ClipOps.GlobalNorm(_layout.Slices[i].Of(meanGradient));
            sumSquares += tensorNorms[i] * tensorNorms[i];
        }
        double globalNorm = Math.Sqrt(sumSquares);
        float scale = ClipNorm is float c ? ClipOps.ClipScale(globalNorm, c) : 1f;
        bool clipped = scale < 1f;
        double clippedNorm = ClipNorm is float c2 && double.IsFinite(globalNorm) ? Math.Min(globalNorm, c2) : globalNorm;
        if (!double.IsFinite(globalNorm))
        {
            if (NonFinite == NonFinitePolicy.Abort)
                throw new NonFiniteGradientException($"step {step}: the gradient's global norm is {globalNorm} (loss {meanLoss}); the run was aborted (policy abort). Lower the learning rate, clip, or use --nonfinite skip.");
            return new StepStatistics(step, meanLoss, globalNorm, clippedNorm, scale, clipped, Skipped: true, tensorNorms);
        }
        Optimizer.Apply(theta, meanGradient, scale);
        return new StepStatistics(step, meanLoss, globalNorm, clippedNorm, scale, clipped, Skipped: false, tensorNorms);
    }
}
