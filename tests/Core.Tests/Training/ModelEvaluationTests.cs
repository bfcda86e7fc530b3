using Thresher.Core.Data;
using Thresher.Core.Model;
using Thresher.Core.Training;

namespace Thresher.Core.Tests.Training;

/// <summary>`thresher eval`'s tally against the run's own evaluation and the training loss kernels.</summary>
public sealed class ModelEvaluationTests
{
    const int Count = 300, Features = 12, Classes = 5;

    static (DataSplit Split, MlpConfig Config, float[] Theta) Setup()
    {
        var random = new Random(11);
        var pixels = new byte[Count * Features];
        var labels = new byte[Count];
        random.NextBytes(pixels);
        for (int i = 0; i < Count; i++) labels[i] = (byte)random.Next(Classes);
        var config = new MlpConfig([Features, 9, Classes]);
        var layout = new ParameterLayout(config);
        var theta = new float[layout.TotalLength];
        Initializer.Initialize(theta, layout, InitKind.He, 3);
        return (new DataSplit(pixels, labels, 3, 4), config, theta);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(7)]
    [InlineData(Count)]
    public void Accuracy_equals_the_runs_evaluation_for_any_chunk(int chunk)
    {
        var (split, config, theta) = Setup();
        double expected = Evaluation.Accuracy(new Mlp(config, 64), theta, split, 255f);
        EvaluationResult result = ModelEvaluation.Run(new Mlp(config, chunk), theta, split, 255f, LossKind.CrossEntropy);
        Assert.Equal(Count, result.Count);
        Assert.Equal(expected, result.Accuracy);
        Assert.InRange(result.Correct, 1, Count - 1);   // neither all wrong nor all right: the count means something
    }

    [Theory]
    [InlineData(LossKind.CrossEntropy)]
    [InlineData(LossKind.Mse)]
    public void Loss_is_the_mean_of_the_training_loss(LossKind loss)
    {
        var (split, config, theta) = Setup();
        var mlp = new Mlp(config, Count);
        var x = new float[Count * Features];
        var labels = new byte[Count];
        split.Gather(Enumerable.Range(0, Count).ToArray(), x, labels, 255f);
        double lossSum = mlp.Gradient(new float[mlp.Layout.TotalLength], theta, x, labels, Count, loss, 1f / Count);

        EvaluationResult result = ModelEvaluation.Run(new Mlp(config, 7), theta, split, 255f, loss);
        Assert.Equal(loss, result.Loss);
        Assert.Equal(lossSum / Count, result.MeanLoss, 1e-6 * Math.Abs(lossSum / Count));
    }

    [Fact]
    public void The_forward_function_sees_scaled_inputs_and_its_logits_decide()
    {
        var (split, _, _) = Setup();
        var seen = new List<float>();
        // A "model" that always answers class 2 with one-hot logits: accuracy = share of label 2, loss from those logits.
        EvaluationResult result = ModelEvaluation.Run(split, Classes, 50, 1f, LossKind.Mse, (x, rows) =>
        {
            seen.AddRange(x.ToArray());
            var logits = new float[rows * Classes];
            for (int i = 0; i < rows; i++) logits[i * Classes + 2] = 1f;
            return logits;
        });
        Assert.Equal(split.Pixels.ToArray().Select(p => (float)p), seen);    // scale 1: raw pixel values
        int twos = split.Labels.ToArray().Count(l => l == 2);
        Assert.Equal(twos, result.Correct);
        // MSE per row: 0 when the label is 2, else 2/5 (two entries off by one).
        Assert.Equal((Count - twos) * 2.0 / Classes / Count, result.MeanLoss, 1e-12);
    }
}
