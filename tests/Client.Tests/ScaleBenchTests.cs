using System.Globalization;
using System.Text.Json;
using Thresher.Abstractions;

namespace Thresher.Client.Tests;

/// <summary>`thresher bench --only scale --quick`: real silo processes on loopback, 1..2 silos × 1..2 workers, and 4 workers pre-aggregated on 2 silos; the shape and the bytes, never the speed.</summary>
public sealed class ScaleBenchTests
{
    const long Gradient = 4L * 535_818; // one 784-512-256-10 gradient (or θ), float32

    [Fact]
    public void A_repetition_is_its_steps_samples_over_their_wall_time_leaving_out_evaluations()
    {
        // Steps 0..6 recorded at these wall seconds; step 4 evaluated (its 10 s are a test pass, not training).
        double[] wall = [1, 2, 4, 5, 15, 16, 17];
        var history = wall.Select((w, i) => new StepRecord(i, 0, 1, 1, 1, 1, false, false, [], [], i == 4 ? 0.9 : null, 0, []) { WallSeconds = w }).ToArray();
        var rates = Bench.ScaleBenchmarks.Rates(history, batch: 10, reps: 2);
        Assert.Equal([30 / 4.0, 20 / 2.0], rates); // steps 1..3: 30 samples in 4 s; 4..6 without 4: 20 samples in 2 s
    }

    [Fact]
    public async Task Quick_scale_run_measures_every_configuration_and_counts_the_bytes_that_cross_silos()
    {
        string json = Path.Combine(Path.GetTempPath(), $"thresher-bench-scale-{Guid.NewGuid():N}.json");
        try
        {
            var (code, output) = await CliRunner.RunInProcess("bench", "--only", "scale", "--quick", "--synthetic", "--batch", "32", "--reps", "2", "--json", json);
            Assert.True(code == ExitCodes.Success, output);
            using var doc = JsonDocument.Parse(File.ReadAllText(json));
            var results = doc.RootElement.GetProperty("results").EnumerateArray()
                .ToDictionary(r => r.GetProperty("name").GetString()!, r => (Value: r.GetProperty("value").GetDouble(), Unit: r.GetProperty("unit").GetString()));
            foreach (var (silos, workers) in new[] { (1, 1), (1, 2), (2, 1), (2, 2) })
            {
                string name = string.Create(CultureInfo.InvariantCulture, $"silos={silos} workers={workers} batch=32");
                Assert.True(results[name].Value > 0 && results[name].Unit == "samples/s", $"{name}: {results[name]}\n{output}");
                Assert.Equal((workers * (double)Gradient, "bytes/step"), results[name + " ps in"]);
            }
            // One silo: nothing crosses. Two silos: the workers rotate over both, so exactly one of two is remote,
            // and a lone worker is remote or local by its run id's hash.
            Assert.Equal(0, results["silos=1 workers=2 batch=32 ps in remote"].Value);
            Assert.Equal(Gradient, results["silos=2 workers=2 batch=32 ps in remote"].Value);
            Assert.Contains(results["silos=2 workers=1 batch=32 ps in remote"].Value, new[] { 0.0, Gradient });
            // Pre-aggregated, 4 workers on 2 silos: one sum per silo reaches the parameter server (2 gradients, not 4), one of them remote.
            Assert.Equal((2.0 * Gradient, "bytes/step"), results["silos=2 workers=4 batch=32 aggregate=per-silo ps in"]);
            Assert.Equal((1.0 * Gradient, "bytes/step"), results["silos=2 workers=4 batch=32 aggregate=per-silo ps in remote"]);
            Assert.True(results["silos=2 workers=4 batch=32 aggregate=per-silo"].Value > 0, output);
            Assert.Equal(15, results.Count);
        }
        finally
        {
            File.Delete(json);
        }
    }
}
