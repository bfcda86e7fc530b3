using Thresher.Core.Model;
using Thresher.Core.Training;

namespace Thresher.Core.Tests.Training;

/// <summary>A step's activation workspace is bounded before anything is allocated: absurd batch × width is bad input.</summary>
public sealed class ActivationLimitTests
{
    [Fact]
    public void Activation_bytes_count_inputs_and_twice_every_layer()
    {
        var options = new TrainingOptions { Layers = MlpConfig.Tutorial, Batch = 128 };
        Assert.Equal(128L * (784 + 2 * (512 + 256 + 10)) * sizeof(float), options.ActivationBytes);
    }

    [Fact]
    public void The_largest_batch_of_the_tutorial_model_is_accepted()
    {
        var options = new TrainingOptions { Layers = MlpConfig.Tutorial, Batch = TrainingOptions.MaxBatch };
        Assert.Null(Record.Exception(options.Validate));
    }

    [Fact]
    public void Activations_exactly_at_the_limit_are_accepted_and_one_input_more_is_rejected()
    {
        // 65536 rows × (16364 inputs + 2 × 10 outputs) floats × 4 bytes = 2¹⁶ · 2¹⁴ · 2² = 4 GiB exactly.
        var atLimit = new TrainingOptions { Layers = new MlpConfig([16_364, 10]), Batch = TrainingOptions.MaxBatch };
        Assert.Equal(TrainingOptions.MaxActivationBytes, atLimit.ActivationBytes);
        Assert.Null(Record.Exception(atLimit.Validate));

        var over = new TrainingOptions { Layers = new MlpConfig([16_365, 10]), Batch = TrainingOptions.MaxBatch };
        Assert.Equal(TrainingOptions.MaxActivationBytes + TrainingOptions.MaxBatch * sizeof(float), over.ActivationBytes);
        var e = Assert.Throws<ThresherInputException>(over.Validate);
        Assert.Contains("above the limit", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Wide_layers_at_the_largest_batch_are_rejected_naming_the_need_and_the_limit()
    {
        var options = new TrainingOptions { Layers = new MlpConfig([16, 8192, 4096, 10]), Batch = TrainingOptions.MaxBatch };
        var e = Assert.Throws<ThresherInputException>(options.Validate);
        Assert.Contains("batch 65536 with layers 16,8192,4096,10: one step's activations need 6", e.Message, StringComparison.Ordinal);
        Assert.Contains("153 MiB, above the limit of 4", e.Message, StringComparison.Ordinal); // 6,153 MiB; separators follow the culture
        Assert.Contains("--batch", e.Message, StringComparison.Ordinal);
    }
}
