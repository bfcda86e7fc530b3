using Thresher.Core.Model;
using Thresher.Core.Optim;
using Thresher.Core.Telemetry;
using Thresher.Core.Training;
using Thresher.Core.Wire;

namespace Thresher.Grains.Tests;

/// <summary>A run's defaults come from Core's presets alone: RunConfig carries a recipe to the cluster and back unchanged.</summary>
public sealed class RunConfigsTests
{
    [Theory]
    [InlineData("default")]
    [InlineData("tutorial")]
    [InlineData("tutorial-unclipped")]
    public void A_preset_survives_the_way_to_the_cluster_and_back(string name)
    {
        var recipe = Presets.Recipe(name);
        AssertSameTraining(recipe.Training, RunConfigs.FromPreset(name).ToTrainingOptions());
        Assert.Equal(recipe.Detector, RunConfigs.FromPreset(name).ToDetectorOptions());
    }

    [Fact]
    public void Every_field_of_a_recipe_reaches_the_run_config()
    {
        var recipe = new RunRecipe
        {
            Training = new TrainingOptions
            {
                Layers = new MlpConfig([16, 8, 10]), Loss = LossKind.Mse, InputScale = 50, LearningRate = 0.02f,
                Optimizer = OptimizerOptions.Sgd(0.5f) with { Nesterov = true, WeightDecay = 1e-4f },
                Schedule = new ScheduleOptions { Kind = ScheduleKind.Cosine, WarmupSteps = 3, MinLr = 0.001 },
                Batch = 64, Epochs = 2, Steps = 7, Clip = null, NonFinite = NonFinitePolicy.Abort, Seed = 9, Shuffle = false,
                Init = InitKind.Glorot, EvalEvery = 3,
            },
            Detector = new ExplosionDetectorOptions { AbsoluteThreshold = 100, SpikeFactor = 4, SigmaFactor = 3, Window = 20, WarmUp = 5 },
            Dataset = "fashion-mnist", Workers = 4, FixedShards = true, CheckpointEvery = 7, WorkerTimeoutSeconds = 11,
            Wire = WireFormat.Bf16,
        };
        var config = RunConfigs.FromRecipe(recipe);
        AssertSameTraining(recipe.Training, config.ToTrainingOptions());
        Assert.Equal(recipe.Detector, config.ToDetectorOptions());
        Assert.Equal(("fashion-mnist", 4, true, 7, 11), (config.Dataset, config.Workers, config.IsFixedShards, config.CheckpointEvery, config.WorkerTimeoutSeconds));
        Assert.Equal(WireFormat.Bf16, config.WireFormat);
    }

    [Fact]
    public void The_default_run_config_is_valid_and_a_blank_one_is_not()
    {
        RunConfigs.Default.Validate();
        Assert.Throws<ThresherInputException>(() => new Abstractions.RunConfig().Validate());
    }

    static void AssertSameTraining(TrainingOptions expected, TrainingOptions actual)
    {
        Assert.Equal(expected.Layers.Layers, actual.Layers.Layers);
        Assert.Equal(expected, actual with { Layers = expected.Layers });
    }
}
