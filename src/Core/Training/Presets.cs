using Thresher.Core.Model;

namespace Thresher.Core.Training;

/// <summary>Named recipes: the sane default and the tutorial's exploding one. The one place a run's defaults come from.</summary>
public static class Presets
{
    public static IReadOnlyList<string> Names { get; } = ["default", "tutorial", "tutorial-unclipped"];

    /// <summary>MNIST, 784-512-256-10, CE, x/255, lr 0.1, batch 128, clip 15, skip non-finite steps, truncated normal init.</summary>
    public static TrainingOptions Default { get; } = new();

    /// <summary>The tutorial: inputs /50, MSE on one-hot, SGD lr 0.01, clip_by_global_norm 15.</summary>
    public static TrainingOptions Tutorial { get; } = new()
    {
        Loss = LossKind.Mse,
        InputScale = 50f,
        LearningRate = 0.01f,
        Clip = 15f,
        Init = InitKind.TruncNormal,
    };

    /// <summary>The tutorial without clipping: the gradient norm explodes within a few steps.</summary>
    public static TrainingOptions TutorialUnclipped { get; } = Tutorial with { Clip = null };

    /// <summary>The training options of the preset <paramref name="name"/>; throws <see cref="ThresherInputException"/> for an unknown one.</summary>
    public static TrainingOptions Get(string name) => name?.ToLowerInvariant() switch
    {
        "default" => Default,
        "tutorial" => Tutorial,
        "tutorial-unclipped" => TutorialUnclipped,
        _ => throw new ThresherInputException($"preset '{name}': unknown; expected one of {string.Join(", ", Names)}"),
    };

    /// <summary>The whole run recipe of the preset <paramref name="name"/>: its training options and the run defaults.</summary>
    public static RunRecipe Recipe(string name) => new() { Training = Get(name) };
}
