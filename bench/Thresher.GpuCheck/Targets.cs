namespace Thresher.GpuCheck;

/// <summary>Issue 19's targets against what this run measured: met, missed, or not measured.</summary>
static class Targets
{
    public static void Print(Report report, Dictionary<(string Engine, int Batch), double> rates, Dictionary<(string Recipe, string Engine), double?> at98, CheckScale scale)
    {
        if (scale.Simulated)
        {
            report.Line("targets (issue 19): not judged — a simulated device at a small scale measures nothing about a GPU");
            return;
        }
        report.Line("targets (issue 19):");
        string fp32 = rates.TryGetValue(("cublas-fp32", 8192), out double r) ? $"{r:n0} samples/s — {(r >= 2_000_000 ? "met" : "missed")}" : "not measured (no cuBLAS fp32)";
        report.Line($"  ≥ 2,000,000 samples/s at batch 8192, fp32, device loop: {fp32}");
        report.Line($"  tf32 beside it: {(rates.TryGetValue(("cublas-tf32", 8192), out double t) ? $"{t:n0} samples/s" : "not measured")}");
        var best = at98.Where(kv => kv.Value is not null).OrderBy(kv => kv.Value).FirstOrDefault();
        report.Line(best.Value is double s
            ? $"  ≥ 98 % in ≤ 1 s of training: {s:f3} s ({best.Key.Recipe}, {best.Key.Engine}) — {(s <= 1 ? "met" : "missed")}"
            : "  ≥ 98 % in ≤ 1 s of training: not reached or not measured");
    }
}
