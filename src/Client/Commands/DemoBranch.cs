using Spectre.Console.Cli;

namespace Thresher.Client.Commands;

/// <summary>Registers `thresher demo explosion`, `thresher demo clipping` and `thresher demo spikes`.</summary>
public static class DemoBranch
{
    public static void AddDemoBranch(this IConfigurator config)
    {
        ArgumentNullException.ThrowIfNull(config);
        config.AddBranch("demo", demo =>
        {
            demo.SetDescription("Guided demonstrations of what Thresher watches for.");
            demo.AddCommand<DemoExplosionCommand>("explosion")
                .WithDescription("The tutorial's story: the same seed trained unclipped (explodes) and with clip_by_global_norm 15 (trains); a norm table and plots.")
                .WithExample("demo", "explosion")
                .WithExample("demo", "explosion", "--steps", "200", "--out", "demo");
            demo.AddCommand<DemoClippingCommand>("clipping")
                .WithDescription("The tutorial's exploding recipe under each clip policy (none, global, per-tensor, zclip, autoclip, agc): a side-by-side table and one plot of which rescue it.")
                .WithExample("demo", "clipping")
                .WithExample("demo", "clipping", "--steps", "300", "--policies", "none,global,autoclip");
            demo.AddCommand<DemoSpikesCommand>("spikes")
                .WithDescription("The response ladder: the same seed and injected spikes under --on-spike none, skip and rewind; a table and a plot.")
                .WithExample("demo", "spikes")
                .WithExample("demo", "spikes", "--steps", "400", "--out", "spikes");
        });
    }
}
