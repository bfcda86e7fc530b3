using Thresher.Core.Data;
using Thresher.Core.Telemetry;
using Thresher.Core.Tests.Data;
using Thresher.Core.Training;

namespace Thresher.Core.Tests.Telemetry;

/// <summary>The default detector on real MNIST runs of the single-process trainer: early on the explosion, silent on sane runs.</summary>
public sealed class ExplosionDetectorMnistTests
{
    static List<ExplosionAlert> Alerts(TrainingOptions options)
    {
        var trainer = new Trainer(options, DatasetCatalog.Load("mnist"), threads: 2);
        var detector = new ExplosionDetector(tensorNames: [.. trainer.Layout.Names]);
        var alerts = new List<ExplosionAlert>();
        while (!trainer.Done)
        {
            var s = trainer.TrainStep();
            if (detector.Observe(s.Step, s.GlobalNorm, s.TensorNorms) is { } alert) alerts.Add(alert);
        }
        return alerts;
    }

    [MnistFact]
    public void The_unclipped_tutorial_is_flagged_at_step_1_and_again_before_its_first_non_finite_norm()
    {
        var alerts = Alerts(Presets.TutorialUnclipped with { Steps = 12 });
        Assert.Equal(1, alerts[0].Step);
        Assert.Equal(ExplosionReason.Growth, alerts[0].Reason);
        Assert.Contains("grew most", alerts[0].Detail, StringComparison.Ordinal);
        var firstNonFinite = alerts.First(a => a.Reason == ExplosionReason.NonFinite).Step;
        Assert.True(alerts.Count(a => a.Step < firstNonFinite) >= 3, string.Join("; ", alerts.Select(a => $"{a.Step}: {a.Detail}")));
    }

    [MnistFact]
    public void The_default_recipe_raises_no_alert_in_3_epochs()
    {
        var alerts = Alerts(Presets.Default);
        Assert.True(alerts.Count == 0, string.Join("; ", alerts.Select(a => $"{a.Step}: {a.Detail}")));
    }

    [MnistFact]
    public void The_clipped_tutorial_raises_no_alert_after_its_first_steps()
    {
        var alerts = Alerts(Presets.Tutorial with { Epochs = 1 });
        Assert.True(alerts.All(a => a.Step < 5), string.Join("; ", alerts.Select(a => $"{a.Step}: {a.Detail}")));
    }
}
