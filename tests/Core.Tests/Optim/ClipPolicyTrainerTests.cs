using System.Numerics.Tensors;
using Thresher.Core.Data;
using Thresher.Core.Model;
using Thresher.Core.Optim.Clipping;
using Thresher.Core.Tests.Data;
using Thresher.Core.Training;

namespace Thresher.Core.Tests.Optim;

/// <summary>
/// W-invariance of every clip policy: the trainer with W = 2, 4 workers follows W = 1 to float rounding (loss,
/// global norm, the policy's threshold, θ to 1e-4 relative), as TrainerWorkersTests shows for global; 30 steps of the
/// tutorial recipe on small synthetic data with settings under which each policy clips.
/// </summary>
public sealed class ClipPolicyTrainerTests : IDisposable
{
    const int Steps = 30;
    readonly TempDir _dir = new();
    readonly Dataset _data;

    public ClipPolicyTrainerTests()
    {
        SyntheticDataset.Write(_dir.Path, trainCount: 2000, testCount: 200, rows: 4, cols: 4);
        _data = DatasetCatalog.Load(_dir.Path);
    }

    public void Dispose() => _dir.Dispose();

    public static TheoryData<string, float?, int> Cases()
    {
        var data = new TheoryData<string, float?, int>();
        foreach (int w in new[] { 2, 4 })
        {
            data.Add("per-tensor", 0.05f, w);
            data.Add("zclip", null, w);
            data.Add("autoclip", null, w);
            data.Add("agc", null, w);
        }
        return data;
    }

    static ClipPolicyOptions Policy(string name) => ClipPolicyKinds.Parse(name) switch
    {
        ClipPolicyKind.ZClip => new() { Kind = ClipPolicyKind.ZClip, ZClipWarmup = 5, ZClipZ = 1 },
        ClipPolicyKind.AutoClip => new() { Kind = ClipPolicyKind.AutoClip, AutoClipPercentile = 25 },
        var kind => new() { Kind = kind },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void W_workers_follow_one_worker_to_float_rounding(string policy, float? clip, int workers)
    {
        var options = Presets.Tutorial with { Layers = new MlpConfig([16, 32, 16, 10]), Steps = Steps, Clip = clip, Seed = 17, ClipPolicy = Policy(policy) };
        var (oneTheta, one) = Train(options, 1);
        var (theta, many) = Train(options, workers);
        Assert.Contains(one, s => s.Clipped);
        for (int i = 0; i < Steps; i++)
        {
            AssertClose(one[i].Loss, many[i].Loss, $"loss at step {i}");
            AssertClose(one[i].GlobalNorm, many[i].GlobalNorm, $"global norm at step {i}");
            AssertClose(one[i].ClippedNorm, many[i].ClippedNorm, $"post-clip norm at step {i}");
            if (double.IsFinite(one[i].ClipThreshold)) AssertClose(one[i].ClipThreshold, many[i].ClipThreshold, $"threshold at step {i}");
            else Assert.Equal(one[i].ClipThreshold, many[i].ClipThreshold);
        }
        float distance = TensorPrimitives.Distance(oneTheta, theta), norm = TensorPrimitives.Norm(oneTheta);
        Assert.True(distance <= 1e-4 * norm, $"θ after {Steps} steps: ‖θ_W − θ_1‖ = {distance:G6}, ‖θ_1‖ = {norm:G6}");
    }

    (float[] Theta, List<StepStatistics> Stats) Train(TrainingOptions options, int workers)
    {
        var trainer = new Trainer(options, _data, workers: workers);
        var stats = new List<StepStatistics>();
        while (!trainer.Done) stats.Add(trainer.TrainStep());
        return (trainer.Theta, stats);
    }

    static void AssertClose(double expected, double actual, string what)
        => Assert.True(Math.Abs(expected - actual) <= 1e-4 * Math.Abs(expected), $"{what}: one worker {expected:G10}, W workers {actual:G10}");
}
