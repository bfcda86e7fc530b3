using Thresher.Abstractions;
using Thresher.Client.Commands;
using Thresher.Grains;

namespace Thresher.Client.Tests;

/// <summary>The run options: unset ones take the preset's value (every one of them), given ones override it.</summary>
public sealed class RunSettingsTests
{
    [Theory]
    [InlineData("default")]
    [InlineData("tutorial")]
    [InlineData("tutorial-unclipped")]
    public void Unset_options_take_the_presets_values(string preset)
    {
        var expected = RunConfigs.FromPreset(preset);
        AssertSameConfig(expected, new SubmitCommand.Settings { Preset = preset }.ToRunConfig());
        // train's embedded silo checkpoints only at the start and the end: its one departure from the recipe.
        AssertSameConfig(expected with { CheckpointEvery = 0 }, new TrainCommand.Settings { Preset = preset }.ToRunConfig());
    }

    [Fact]
    public void Given_options_override_the_preset()
    {
        var settings = new SubmitCommand.Settings
        {
            Preset = "tutorial", Layers = "16,8,10", LearningRate = 0.5f, Batch = 64, Workers = 4, Steps = 9, Clip = "none",
            NonFinite = "abort", Init = "he", Seed = 5, NoShuffle = true, AlertSpike = 3, AlertWindow = 20, CheckpointEvery = 5, WorkerTimeout = 7,
        };
        var expected = RunConfigs.FromPreset("tutorial") with
        {
            Layers = [16, 8, 10], LearningRate = 0.5f, Batch = 64, Workers = 4, Steps = 9, Clip = null, NonFinite = "abort", Init = "he",
            Seed = 5, Shuffle = false, AlertSpikeFactor = 3, AlertWindow = 20, CheckpointEvery = 5, WorkerTimeoutSeconds = 7,
        };
        AssertSameConfig(expected, settings.ToRunConfig());
        Assert.True(settings.Validate().Successful);
    }

    [Theory]
    [InlineData("lr -1: must be a finite number > 0")]
    public void Validate_names_the_bad_value(string message)
    {
        var result = new TrainCommand.Settings { LearningRate = -1 }.Validate();
        Assert.False(result.Successful);
        Assert.Equal(message, result.Message);
    }

    static void AssertSameConfig(RunConfig expected, RunConfig actual)
    {
        Assert.Equal(expected.Layers, actual.Layers);
        Assert.Equal(expected, actual with { Layers = expected.Layers });
    }
}
