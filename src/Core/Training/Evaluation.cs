using Thresher.Core.Data;
using Thresher.Core.Model;

namespace Thresher.Core.Training;

/// <summary>Test-set accuracy in chunks of the evaluator's batch size, reusing its workspace.</summary>
public static class Evaluation
{
    /// <summary>Fraction of <paramref name="split"/> whose arg-max logit equals the label; NaN for an empty split.</summary>
    public static double Accuracy(Mlp evaluator, ReadOnlySpan<float> theta, DataSplit split, float inputScale)
    {
        ArgumentNullException.ThrowIfNull(evaluator);
        ArgumentNullException.ThrowIfNull(split);
        if (split.Count == 0) return double.NaN;
        int chunk = evaluator.MaxBatch;
        var x = new float[chunk * evaluator.Config.Inputs];
        var labels = new byte[chunk];
        var indices = new int[chunk];
        long correct = 0;
        for (int start = 0; start < split.Count; start += chunk)
        {
            int n = Math.Min(chunk, split.Count - start);
            for (int i = 0; i < n; i++) indices[i] = start + i;
            split.Gather(indices.AsSpan(0, n), x, labels, inputScale);
            correct += evaluator.CountCorrect(theta, x, labels, n);
        }
        return (double)correct / split.Count;
    }
}
