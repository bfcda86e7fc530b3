using Thresher.Core.Data;
using Thresher.Core.Model;

namespace Thresher.Core.Training;

/// <summary>
/// A model's logits for one chunk: x [rows, features] in, logits [rows, classes] out (valid until the next call).
/// Thresher's own forward pass, or another runtime's (ONNX Runtime in the CLI).
/// </summary>
public delegate ReadOnlySpan<float> ChunkLogits(ReadOnlySpan<float> x, int rows);

/// <summary>What `thresher eval` reports: test-set accuracy, mean loss and the count they cover.</summary>
/// <param name="Count">Samples evaluated.</param>
/// <param name="Correct">Samples whose arg-max logit (the first maximum, as <see cref="Mlp.CountCorrect"/>) equals the label.</param>
/// <param name="LossSum">Σ over samples of the per-sample loss of kind <paramref name="Loss"/> (double).</param>
public sealed record EvaluationResult(int Count, long Correct, double LossSum, LossKind Loss)
{
    /// <summary>Correct / Count; NaN for an empty split.</summary>
    public double Accuracy => Count == 0 ? double.NaN : (double)Correct / Count;

    /// <summary>LossSum / Count; NaN for an empty split.</summary>
    public double MeanLoss => Count == 0 ? double.NaN : LossSum / Count;
}

/// <summary>
/// Evaluates any model that maps inputs to logits over a whole split, chunk by chunk: the inputs are
/// x = pixels / inputScale (inputScale 1 hands a model raw pixel values, for models that scale them
/// themselves), the loss is Core's loss kernel on the logits, accuracy counts arg-max hits.
/// </summary>
public static class ModelEvaluation
{
    /// <summary>Evaluates <paramref name="forward"/> on <paramref name="split"/> in chunks of at most <paramref name="chunk"/> rows.</summary>
    public static EvaluationResult Run(DataSplit split, int classes, int chunk, float inputScale, LossKind loss, ChunkLogits forward)
    {
        ArgumentNullException.ThrowIfNull(split);
        ArgumentNullException.ThrowIfNull(forward);
        ArgumentOutOfRangeException.ThrowIfLessThan(classes, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(chunk, 1);
        split.ValidateLabels(classes, $"the model's {classes} outputs");
        var x = new float[(long)chunk * split.Features];  // [chunk, features]
        var labels = new byte[chunk];
        var indices = new int[chunk];
        var dLogits = new float[(long)chunk * classes];   // [chunk, classes], the loss kernel's gradient output, unused
        long correct = 0;
        double lossSum = 0;
        for (int start = 0; start < split.Count; start += chunk)
        {
            int rows = Math.Min(chunk, split.Count - start);
            for (int i = 0; i < rows; i++) indices[i] = start + i;
            split.Gather(indices.AsSpan(0, rows), x, labels, inputScale);
            ReadOnlySpan<float> logits = forward(x.AsSpan(0, rows * split.Features), rows);
            if (logits.Length < rows * classes)
                throw new InvalidOperationException($"the model returned {logits.Length} logits for {rows} rows × {classes} classes");
            logits = logits[..(rows * classes)];
            correct += CountCorrect(logits, labels, rows, classes);
            lossSum += loss == LossKind.Mse
                ? Kernels.Loss.MseOneHot(dLogits, logits, labels, rows, classes, 1f)
                : Kernels.Loss.SoftmaxCrossEntropy(dLogits, logits, labels, rows, classes, 1f);
        }
        return new EvaluationResult(split.Count, correct, lossSum, loss);
    }

    /// <summary>Thresher's own forward pass (<paramref name="model"/>'s batch size is the chunk).</summary>
    public static EvaluationResult Run(Mlp model, float[] theta, DataSplit split, float inputScale, LossKind loss)
    {
        ArgumentNullException.ThrowIfNull(model);
        return Run(split, model.Config.Outputs, model.MaxBatch, inputScale, loss, (x, rows) => model.Forward(theta, x, rows));
    }

    // logits [rows, classes]; the first maximum wins, NaN never does (as Mlp.CountCorrect).
    static int CountCorrect(ReadOnlySpan<float> logits, ReadOnlySpan<byte> labels, int rows, int classes)
    {
        int correct = 0;
        for (int i = 0; i < rows; i++)
        {
            ReadOnlySpan<float> row = logits.Slice(i * classes, classes);
            int best = 0;
            for (int j = 1; j < classes; j++) if (row[j] > row[best]) best = j;
            if (best == labels[i]) correct++;
        }
        return correct;
    }
}
