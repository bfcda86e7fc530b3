using Thresher.Core.Data;
using Thresher.Core.Model;
using Thresher.Core.Training;

namespace Thresher.Benchmarks;

/// <summary>
/// The Core single-process step, exactly what <see cref="Trainer.TrainStep"/> runs: gather the batch from the
/// bytes, forward, loss, backward, per-tensor and global norms, clip_by_global_norm folded into SGD.
/// The recipe is the TorchSharp peer's: the tutorial MLP 784-512-256-10, MSE on
/// x/50, SGD lr 0.01, clip 15 — so the two step rates compare like for like.
/// </summary>
public static class StepBenchmarks
{
    /// <summary>The peer's recipe at <paramref name="batch"/>; runs never end on their own.</summary>
    public static TrainingOptions Recipe(int batch) => new()
    {
        Layers = MlpConfig.Tutorial,
        Loss = LossKind.Mse,
        InputScale = 50f,
        LearningRate = 0.01f,
        Batch = batch,
        Clip = 15f,
        Steps = TrainingOptions.MaxSteps,
    };

    /// <summary>The trainer a core-step measurement steps: the recipe at <paramref name="batch"/> on <paramref name="threads"/> kernel threads.</summary>
    public static Trainer CoreStepTrainer(Dataset data, int threads, int batch) => new(Recipe(batch), data, threads);

    public static BenchResult CoreStep(Dataset data, int threads, int batch, BenchPlan plan)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(plan);
        var trainer = CoreStepTrainer(data, threads, batch);
        var seconds = plan.SecondsPerUnit(() => trainer.TrainStep());
        return BenchResult.From(BenchResult.CoreStep, $"threads={threads} batch={batch}", threads, batch, 1,
            [.. seconds.Select(s => batch / s)], BenchResult.SamplesPerSecond);
    }
}
