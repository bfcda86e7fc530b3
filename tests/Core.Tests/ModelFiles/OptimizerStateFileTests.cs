using Thresher.Core.Model;
using Thresher.Core.ModelFiles;
using Thresher.Core.Optim;

namespace Thresher.Core.Tests.ModelFiles;

/// <summary>The optimizer's state beside θ in a model file (--save-optimizer): names, round trip, and readers that ignore it.</summary>
public sealed class OptimizerStateFileTests : IDisposable
{
    readonly TempDirectory _dir = new();
    static readonly MlpConfig Config = new([5, 4, 3]);
    static readonly ParameterLayout Layout = new(Config);

    public void Dispose() => _dir.Dispose();

    static float[] Values(int seed) => [.. Enumerable.Range(0, Layout.TotalLength).Select(i => (float)Math.Sin(seed + i))];

    [Fact]
    public void Adam_state_round_trips_under_PyTorchs_names_and_other_readers_still_read_theta()
    {
        string path = _dir.File("adam.safetensors");
        var theta = Values(1);
        var state = new SavedOptimizerState(OptimizerKind.AdamW, [], Values(2), Values(3), 42);
        ModelFile.Save(path, Layout, theta, [new("step", "42")], state);

        var file = SafeTensors.Read(path);
        Assert.Contains("optimizer.exp_avg.w1", file.Names);
        Assert.Contains("optimizer.exp_avg_sq.b2", file.Names);
        Assert.DoesNotContain(file.Names, n => n.Contains("momentum_buffer", StringComparison.Ordinal));
        Assert.Equal([4, 3], file["optimizer.exp_avg.w2"].Shape);
        Assert.Equal(("adamw", "42"), (file.Metadata["optimizer"], file.Metadata["optimizer_steps"]));

        var (loaded, saved) = ModelFile.LoadWithOptimizer(path, Config);
        Assert.Equal(theta, loaded);
        Assert.NotNull(saved);
        Assert.Equal((OptimizerKind.AdamW, 42L), (saved.Kind, saved.Steps));
        Assert.Equal(state.ExpAvg, saved.ExpAvg);
        Assert.Equal(state.ExpAvgSq, saved.ExpAvgSq);
        Assert.Empty(saved.MomentumBuffer);
        Assert.Equal(theta, ModelFile.Load(path, Config));
        Assert.Equal(theta, SavedModel.Read(path).Theta);
    }

    [Fact]
    public void A_file_without_optimizer_state_has_none_and_a_misshapen_buffer_is_refused()
    {
        string plain = _dir.File("plain.safetensors");
        ModelFile.Save(plain, Layout, Values(1));
        Assert.Null(ModelFile.LoadWithOptimizer(plain, Config).Optimizer);

        string bad = _dir.File("bad.safetensors");
        var tensors = Layout.Slices.Select(s => new KeyValuePair<string, Tensor>(s.Name, Tensor.FromArray(s.Of(Values(1)), s.Shape))).ToList();
        tensors.AddRange(Layout.Slices.Select(s => new KeyValuePair<string, Tensor>("optimizer.momentum_buffer." + s.Name,
            s.Name == "w1" ? Tensor.FromArray(new float[20], [4, 5]) : Tensor.FromArray(s.Of(Values(2)), s.Shape))));
        SafeTensors.Write(bad, tensors, [new("optimizer", "sgd"), new("optimizer_steps", "3")]);
        var e = Assert.Throws<ThresherInputException>(() => ModelFile.LoadWithOptimizer(bad, Config));
        Assert.Contains("optimizer.momentum_buffer.w1: expected shape [5,4], file has [4,5]", e.Message, StringComparison.Ordinal);
    }
}
