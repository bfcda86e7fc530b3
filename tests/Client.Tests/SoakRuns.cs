using Thresher.Abstractions;
using Thresher.Core.Model;
using Thresher.Core.ModelFiles;
using Xunit.Abstractions;

namespace Thresher.Client.Tests;

/// <summary>
/// The chaos soak's runs: three recipes (seeds), each with an undisturbed twin run first; then soak runs submitted so
/// that <see cref="Concurrent"/> run at once, recipe k mod 3. Each finished soak run is checked against its twin:
/// completed, every step id once in its own history, exported θ equal bit for bit.
/// </summary>
sealed class SoakRuns(IClusterClient client, string gateways, string clusterId, string data, string work, ITestOutputHelper log)
{
    public const int Concurrent = 3;
    public const int Steps = 1000;
    const int Recipes = 3;

    readonly float[][] _twins = new float[Recipes][];
    readonly List<(string Id, int Recipe)> _active = [];
    readonly List<(string Id, int Recipe)> _finished = [];
    int _submitted;

    public IReadOnlyList<string> Active => [.. _active.Select(r => r.Id)];

    public int Finished => _finished.Count;

    static string[] RunArgs(string runId, int recipe) =>
        ["--layers", SyntheticData.Layers, "--init", "he", "--lr", "0.5", "--workers", "3", "--batch", "64", "--steps", $"{Steps}",
         "--eval-every", "500", "--checkpoint-every", "50", "--worker-timeout", "5", "--seed", $"{41 + recipe}", "--run-id", runId];

    /// <summary>The three twins, at once, on the undisturbed cluster; their exported θ is the reference.</summary>
    public async Task RunTwinsAsync()
    {
        for (int r = 0; r < Recipes; r++) await Submit($"twin-{r}", r);
        for (int r = 0; r < Recipes; r++)
        {
            var done = await WaitFinished($"twin-{r}", TimeSpan.FromMinutes(5));
            Assert.True(done.State == RunState.Completed, $"twin-{r}: {done.State}: {done.Error}");
            _twins[r] = await Export($"twin-{r}");
        }
    }

    /// <summary>Moves finished runs out of the active set and submits new ones until <see cref="Concurrent"/> run (none after <paramref name="stop"/>).</summary>
    public async Task TopUpAsync(bool stop = false)
    {
        foreach (var run in _active.ToList())
        {
            if (!(await Status(run.Id)).State.IsFinished()) continue;
            _active.Remove(run);
            _finished.Add(run);
        }
        while (!stop && _active.Count < Concurrent)
        {
            int k = _submitted++;
            var run = ($"soak-{k}", k % Recipes);
            await Submit(run.Item1, run.Item2);
            _active.Add(run);
        }
    }

    /// <summary>The step of each active run now.</summary>
    public async Task<Dictionary<string, long>> StepsAsync()
    {
        var steps = new Dictionary<string, long>();
        foreach (var (id, _) in _active) steps[id] = (await Status(id)).Step;
        return steps;
    }

    /// <summary>True when run <paramref name="id"/> is finished or past <paramref name="step"/>.</summary>
    public async Task<bool> PastAsync(string id, long step) => (await Status(id)) is { } s && (s.State.IsFinished() || s.Step > step);

    /// <summary>Waits for the active runs to finish, then checks every finished run against its twin.</summary>
    public async Task DrainAndCheckAsync()
    {
        foreach (var (id, _) in _active) await WaitFinished(id, TimeSpan.FromMinutes(5));
        await TopUpAsync(stop: true);
        foreach (var (id, recipe) in _finished)
        {
            var status = await Status(id);
            Assert.True(status.State == RunState.Completed, $"{id}: {status.State}: {status.Error}");
            var steps = (await client.GetGrain<IRunGrain>(id).GetHistory(0, 2 * Steps)).Select(h => h.Step).ToList();
            Assert.True(steps.SequenceEqual(Enumerable.Range(0, Steps).Select(i => (long)i)),
                $"{id}: its history is not every step id once: {steps.Count} records, {steps.Distinct().Count()} distinct");
            var theta = await Export(id);
            int differ = theta.Zip(_twins[recipe]).Count(p => BitConverter.SingleToInt32Bits(p.First) != BitConverter.SingleToInt32Bits(p.Second));
            Assert.True(theta.Length == _twins[recipe].Length && differ == 0, $"{id}: θ differs from twin-{recipe}'s in {differ} of {theta.Length} values");
            log.WriteLine($"{id}: completed, {steps.Count} steps once each, {status.Resumes} resumes, θ bit-equal to twin-{recipe}'s");
        }
    }

    async Task Submit(string runId, int recipe)
    {
        var (code, stdout, stderr) = await CliRunner.RunExecutableIn(work, TimeSpan.FromMinutes(2),
            ["submit", "--gateway", gateways, "--cluster-id", clusterId, "--connect-timeout", "60", "--data", data, .. RunArgs(runId, recipe)]);
        Assert.True(code == 0, $"submit {runId}: exit {code}: {stdout}{stderr}");
    }

    async Task<float[]> Export(string runId)
    {
        string file = $"{runId}.safetensors";
        var (code, stdout, stderr) = await CliRunner.RunExecutableIn(work, TimeSpan.FromMinutes(2),
            "export", runId, "--out", file, "--gateway", gateways, "--cluster-id", clusterId, "--connect-timeout", "60");
        Assert.True(code == 0, $"export {runId}: exit {code}: {stdout}{stderr}");
        return ModelFile.Load(Path.Combine(work, file), MlpConfig.Parse(SyntheticData.Layers));
    }

    /// <summary>
    /// A run's status; calls that fail while membership catches up with a dead silo (or Redis is away) are asked again,
    /// and a call not answered within the CLI's small-call deadline (one sent through a gateway just killed) too.
    /// </summary>
    Task<RunStatus> Status(string runId) => Wait.For(() => client.GetGrain<IRunGrain>(runId).GetStatus().WaitAsync(Cluster.GatewayFailover.CallTimeout), _ => true,
        TimeSpan.FromSeconds(90), $"{runId} to answer status", retryOn: e => e is OrleansException or TimeoutException);

    Task<RunStatus> WaitFinished(string runId, TimeSpan limit) => Wait.For(() => client.GetGrain<IRunGrain>(runId).GetStatus(),
        s => s.State.IsFinished(), limit, $"{runId} to finish", s => $"{s.State} at step {s.Step}", e => e is OrleansException or TimeoutException);
}
