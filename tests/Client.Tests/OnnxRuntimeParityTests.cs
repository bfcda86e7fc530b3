using Thresher.Client.Models;
using Thresher.Core.Data;
using Thresher.Core.Model;
using Thresher.Core.ModelFiles;
using Thresher.Core.Training;

namespace Thresher.Client.Tests;

/// <summary>
/// The ONNX export run by ONNX Runtime against Thresher's own forward pass (src/Core/Model) on the full MNIST
/// test set: logits within 1e-5 (absolute up to |logit| 1, relative beyond), the same accuracy, and any batch size
/// (the batch dimension is dynamic).
/// </summary>
public sealed class OnnxRuntimeParityTests : IClassFixture<OnnxRuntimeParityTests.TrainedModel>
{
    const double Tolerance = 1e-5;
    readonly TrainedModel _model;

    public OnnxRuntimeParityTests(TrainedModel model) => _model = model;

    /// <summary>The default recipe trained 150 steps on MNIST in this process, exported to ONNX.</summary>
    public sealed class TrainedModel : IDisposable
    {
        readonly string _directory = Directory.CreateTempSubdirectory("thresher-onnx-").FullName;

        public TrainedModel()
        {
            if (!DatasetCatalog.HasAllFiles(new DatasetOptions().MnistDirectory())) return; // the facts skip, saying why
            Data = DatasetCatalog.Load("mnist");
            var trainer = new Trainer(new TrainingOptions { Steps = 150 }, Data, threads: 2);
            while (!trainer.Done) trainer.TrainStep();
            Layout = trainer.Layout;
            Theta = trainer.Theta;
            OnnxPath = Path.Combine(_directory, "model.onnx");
            OnnxExport.Save(OnnxPath, Layout, Theta, 255f);
        }

        public Dataset Data { get; } = null!;
        public ParameterLayout Layout { get; } = null!;
        public float[] Theta { get; } = null!;
        public string OnnxPath { get; } = "";

        public void Dispose() => Directory.Delete(_directory, recursive: true);
    }

    /// <summary>Logits [count, 10] of the first <paramref name="count"/> test images, <paramref name="batch"/> rows per call.</summary>
    float[] OnnxLogits(OnnxRuntimeModel onnx, int count, int batch)
    {
        var logits = new float[count * onnx.Classes];
        var pixels = new float[batch * onnx.Features];
        var labels = new byte[batch];
        DataSplit test = _model.Data.Test;
        for (int start = 0; start < count; start += batch)
        {
            int rows = Math.Min(batch, count - start);
            test.Gather(Enumerable.Range(start, rows).ToArray(), pixels, labels, 1f);
            onnx.Logits(pixels, rows).CopyTo(logits.AsSpan(start * onnx.Classes));
        }
        return logits;
    }

    /// <summary>Thresher's forward pass, x = pixels / 255, in chunks of 1000.</summary>
    float[] ThresherLogits()
    {
        DataSplit test = _model.Data.Test;
        var mlp = new Mlp(_model.Layout.Config, 1000);
        var logits = new float[test.Count * 10];
        var x = new float[1000 * test.Features];
        var labels = new byte[1000];
        for (int start = 0; start < test.Count; start += 1000)
        {
            int rows = Math.Min(1000, test.Count - start);
            test.Gather(Enumerable.Range(start, rows).ToArray(), x, labels, 255f);
            mlp.Forward(_model.Theta, x, rows).CopyTo(logits.AsSpan(start * 10));
        }
        return logits;
    }

    /// <summary>
    /// Largest |a − b| / max(1, |a|): absolute below 1, relative above (float GEMMs that add in another order differ
    /// by rounding in proportion to the values' size). Also returns the largest absolute difference and |a|.
    /// </summary>
    static (double Scaled, double Absolute, double Largest) Differences(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        Assert.Equal(a.Length, b.Length);
        double scaled = 0, absolute = 0, largest = 0;
        for (int i = 0; i < a.Length; i++)
        {
            double difference = Math.Abs((double)a[i] - b[i]);
            scaled = Math.Max(scaled, difference / Math.Max(1, Math.Abs(a[i])));
            absolute = Math.Max(absolute, difference);
            largest = Math.Max(largest, Math.Abs(a[i]));
        }
        return (scaled, absolute, largest);
    }

    [DataMnistFact]
    public void Logits_equal_thresher_forward_pass_on_the_whole_test_set()
    {
        using var onnx = OnnxRuntimeModel.Open(_model.OnnxPath);
        Assert.Equal((784, 10), (onnx.Features, onnx.Classes));
        float[] expected = ThresherLogits();
        float[] actual = OnnxLogits(onnx, _model.Data.Test.Count, 1000);
        var (scaled, absolute, largest) = Differences(expected, actual);
        Assert.True(scaled <= Tolerance, $"max |Δlogit| / max(1, |logit|) {scaled:E3} (absolute {absolute:E3}, |logit| up to {largest:F2}) over {expected.Length} logits");
        Assert.True(largest > 1, $"|logit| only up to {largest}: a trained model's logits are larger");
    }

    [DataMnistFact]
    public void Accuracy_and_loss_equal_the_runs_evaluation()
    {
        using var onnx = OnnxRuntimeModel.Open(_model.OnnxPath);
        DataSplit test = _model.Data.Test;
        EvaluationResult viaOnnx = ModelEvaluation.Run(test, 10, 1000, 1f, LossKind.CrossEntropy, onnx.Logits);
        EvaluationResult viaThresher = ModelEvaluation.Run(new Mlp(_model.Layout.Config, 1000), _model.Theta, test, 255f, LossKind.CrossEntropy);
        double runAccuracy = Evaluation.Accuracy(new Mlp(_model.Layout.Config, 512), _model.Theta, test, 255f);

        Assert.Equal(10_000, viaOnnx.Count);
        Assert.Equal(runAccuracy, viaOnnx.Accuracy);
        Assert.Equal(viaThresher.Correct, viaOnnx.Correct);
        Assert.Equal(viaThresher.MeanLoss, viaOnnx.MeanLoss, 1e-5);
        Assert.InRange(viaOnnx.Accuracy, 0.85, 1.0);
    }

    [DataMnistFact]
    public void Any_batch_size_gives_the_same_logits()
    {
        using var onnx = OnnxRuntimeModel.Open(_model.OnnxPath);
        float[] reference = OnnxLogits(onnx, 1000, 1000);
        foreach (int batch in new[] { 1, 37 })
        {
            float[] logits = OnnxLogits(onnx, batch == 1 ? 200 : 1000, batch);
            var (scaled, absolute, _) = Differences(reference.AsSpan(0, logits.Length), logits);
            Assert.True(scaled <= Tolerance, $"batch {batch}: max |Δlogit| / max(1, |logit|) {scaled:E3} (absolute {absolute:E3}) against batch 1000");
        }
    }
}
