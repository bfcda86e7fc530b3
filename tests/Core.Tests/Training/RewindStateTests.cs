using Thresher.Core.Data;
using Thresher.Core.Model;
using Thresher.Core.Optim;
using Thresher.Core.Optim.Clipping;
using Thresher.Core.Tests.Data;
using Thresher.Core.Training;

namespace Thresher.Core.Tests.Training;

/// <summary>
/// A rewind with every optimizer and a stateful clip policy (real MNIST, a small MLP, W = 2): θ, the optimizer's
/// buffers and step count and the clip policy's state come back bit for bit from the snapshot, and the run ends with
/// the θ of a run whose schedule omits the skipped batches — which holds only if nothing of the undone steps stayed in
/// the optimizer (Adam's moments, its bias-correction step, SGD's first-step rule under dampening) or the clip policy
/// (ZClip's EMAs and warm-up norms, AutoClip's history).
/// </summary>
public sealed class RewindStateTests
{
    static readonly Lazy<Dataset> Mnist = new(() => DatasetCatalog.Load("mnist"));

    public static TheoryData<string, string> OptimizersAndPolicies()
    {
        var data = new TheoryData<string, string>();
        foreach (string optimizer in new[] { "sgd", "momentum", "adam", "adamw" })
            foreach (string policy in new[] { "zclip", "autoclip" })
                data.Add(optimizer, policy);
        return data;
    }

    static TrainingOptions Recipe(string optimizer, string policy, int steps, IReadOnlyList<long>? omit = null) => Presets.Default with
    {
        Layers = MlpConfig.Parse("784-64-10"),
        Steps = steps,
        Optimizer = optimizer switch
        {
            "momentum" => OptimizerOptions.Sgd(0.9f) with { Dampening = 0.5f }, // dampening: the first step's rule differs from the rest
            "sgd" => OptimizerOptions.Sgd(),
            _ => OptimizerOptions.For(OptimizerKinds.Parse(optimizer)),
        },
        LearningRate = optimizer.StartsWith("adam", StringComparison.Ordinal) ? 1e-3f : 0.1f,
        ClipPolicy = new ClipPolicyOptions { Kind = ClipPolicyKinds.Parse(policy), AutoClipHistory = policy == "autoclip" ? 16 : null },
        Clip = policy == "autoclip" ? null : 15f, // autoclip takes no clip norm; zclip's is its hard cap
        OmitBatches = omit ?? [],
    };

    /// <summary>θ, the optimizer's state and the clip policy's state, copied.</summary>
    sealed record TrainingState(float[] Theta, float[] Velocity, float[] ExpAvg, float[] ExpAvgSq, long Steps, byte[] ClipState)
    {
        public static TrainingState Of(Trainer t) => new((float[])t.Theta.Clone(), (float[])t.Update.Optimizer.Velocity.Clone(),
            (float[])t.Update.Optimizer.ExpAvg.Clone(), (float[])t.Update.Optimizer.ExpAvgSq.Clone(), t.Update.Optimizer.Steps, t.Update.Policy.SaveState());
    }

    [MnistTheory]
    [MemberData(nameof(OptimizersAndPolicies))]
    public void A_rewind_restores_theta_optimizer_and_clip_state_bit_for_bit_with_every_optimizer(string optimizer, string policy)
    {
        var options = Recipe(optimizer, policy, steps: 40) with
        {
            Spike = new SpikeOptions { OnSpike = SpikeAction.Rewind, Window = 40, MinHistory = 20, RewindSteps = 10, RewindAfter = 1, RewindSkipBatches = 2 },
            Inject = InjectionRule.ParseList("batch:32:scale=1000"),
        };
        var rewinding = new Trainer(options, Mnist.Value, threads: 1, workers: 2);
        var atStep20 = new List<TrainingState>(); // before step 20: when first reached, and again after the rewind
        var steps = new List<StepStatistics>();
        while (!rewinding.Done)
        {
            if (rewinding.Step == 20) atStep20.Add(TrainingState.Of(rewinding));
            steps.Add(rewinding.TrainStep());
        }
        var rewind = Assert.Single(steps, s => s.Action == SpikeAction.Rewind);
        Assert.Equal((32L, 20L), (rewind.Step, rewind.RewindTo));
        Assert.Equal(2, atStep20.Count);
        var (first, restored) = (atStep20[0], atStep20[1]);
        Assert.Equal(first.Theta, restored.Theta);
        Assert.Equal(first.Velocity, restored.Velocity);
        Assert.Equal(first.ExpAvg, restored.ExpAvg);
        Assert.Equal(first.ExpAvgSq, restored.ExpAvgSq);
        Assert.Equal(first.Steps, restored.Steps);
        Assert.Equal(first.ClipState, restored.ClipState);
        Assert.NotEmpty(first.ClipState); // the policy has state to restore
        Assert.True(rewinding.Done);

        // The rest of the run equals one whose schedule omits batches 20..34 (the spike's, the undone and 2 more), to the bit.
        var omitting = new Trainer(Recipe(optimizer, policy, steps: 40, omit: [.. Enumerable.Range(20, 15).Select(b => (long)b)]), Mnist.Value, threads: 1, workers: 2);
        while (!omitting.Done) omitting.TrainStep();
        Assert.Equal(omitting.Theta, rewinding.Theta);
        Assert.Equal(omitting.Update.Optimizer.Steps, rewinding.Update.Optimizer.Steps);
        Assert.Equal(omitting.Update.Policy.SaveState(), rewinding.Update.Policy.SaveState());
    }

    [Theory]
    [InlineData("sgd", 2 * 4)]
    [InlineData("momentum", 2 * 8)]
    [InlineData("adam", 2 * 12)]
    [InlineData("adamw", 2 * 12)]
    public void The_snapshot_ring_costs_two_copies_of_theta_and_the_optimizer_state(string optimizer, int bytesPerParameter)
    {
        var options = Recipe(optimizer, "global", steps: 1) with { Spike = new SpikeOptions { OnSpike = SpikeAction.Rewind } };
        var layout = new ParameterLayout(options.Layers);
        var guard = new SpikeGuard(options.Spike, options.CreateUpdateRule(layout, 1));
        Assert.Equal((long)bytesPerParameter * layout.TotalLength, guard.SnapshotBytes);
    }
}
