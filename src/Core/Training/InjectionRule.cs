using System.Globalization;
using Thresher.Core.Data;

namespace Thresher.Core.Training;

/// <summary>What an <see cref="InjectionRule"/> does.</summary>
public enum InjectionKind
{
    /// <summary>batch:B:scale=X — batch B's inputs are multiplied by X on every worker (a bad data batch).</summary>
    ScaleBatch,

    /// <summary>worker:W:from=B:noise=X — worker W adds uniform noise in [−X, X) to its gradient from batch B on (a faulty device).</summary>
    WorkerNoise,

    /// <summary>worker:W:nan@B — worker W's gradient holds a NaN at batch B.</summary>
    WorkerNaN,
}

/// <summary>
/// A fault made on purpose, for tests and demos; off unless a run names it (`--inject`), and then stated in the run's
/// config and summary. Batches are data batch ids: the step, unless a rewind moved the data cursor. Noise is a pure
/// function of (seed, batch, worker), so a run with an injection is as reproducible as one without.
/// </summary>
public sealed record InjectionRule(InjectionKind Kind, long Batch, int Worker, double Amount)
{
    /// <summary>The rule as written on the command line.</summary>
    public override string ToString() => Kind switch
    {
        InjectionKind.ScaleBatch => Invariant($"batch:{Batch}:scale={Amount}"),
        InjectionKind.WorkerNoise => Invariant($"worker:{Worker}:from={Batch}:noise={Amount}"),
        _ => Invariant($"worker:{Worker}:nan@{Batch}"),
    };

    /// <summary>Parses rules separated by commas, e.g. "batch:30:scale=1000,worker:1:nan@40"; "" or null is none.</summary>
    public static IReadOnlyList<InjectionRule> ParseList(string? text)
        => string.IsNullOrWhiteSpace(text) ? [] : [.. text.Split(',', StringSplitOptions.TrimEntries).Select(Parse)];

    public static InjectionRule Parse(string text)
    {
        var parts = (text ?? "").Split(':');
        InjectionRule? rule = parts switch
        {
            ["batch", var b, var scale] when scale.StartsWith("scale=", StringComparison.Ordinal)
                => new(InjectionKind.ScaleBatch, Id(b), 0, ParseAmount(scale["scale=".Length..])),
            ["worker", var w, var from, var noise] when from.StartsWith("from=", StringComparison.Ordinal) && noise.StartsWith("noise=", StringComparison.Ordinal)
                => new(InjectionKind.WorkerNoise, Id(from["from=".Length..]), (int)Id(w), ParseAmount(noise["noise=".Length..])),
            ["worker", var w, var nan] when nan.StartsWith("nan@", StringComparison.Ordinal)
                => new(InjectionKind.WorkerNaN, Id(nan["nan@".Length..]), (int)Id(w), double.NaN),
            _ => null,
        };
        return rule ?? throw Bad(text ?? "", "expected batch:B:scale=X, worker:W:from=B:noise=X or worker:W:nan@B");
    }

    /// <summary>Throws when a rule names a worker the run does not have.</summary>
    public void ValidateFor(int workers)
    {
        if (Kind != InjectionKind.ScaleBatch && Worker >= workers)
            throw Bad(ToString(), $"worker {Worker} does not exist; the run has workers 0..{workers - 1}");
    }

    /// <summary>Adds this rule's noise for (seed, batch, worker) to g: uniform in [−Amount, Amount).</summary>
    public static void AddNoise(Span<float> gradient, double amount, int seed, long batch, int worker)
    {
        var random = new SplitMix64(unchecked((ulong)seed * 0x9E3779B97F4A7C15UL ^ (ulong)batch * 0xBF58476D1CE4E5B9UL ^ (ulong)worker));
        for (int i = 0; i < gradient.Length; i++)
            gradient[i] += (float)(amount * ((random.Next() >> 11) * (2.0 / (1UL << 53)) - 1.0));
    }

    static long Id(string text)
        => long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out long v) && v <= int.MaxValue ? v
            : throw Bad(text, "a batch or worker must be a whole number ≥ 0");

    static double ParseAmount(string text)
        => double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double v) && double.IsFinite(v) && v > 0 ? v
            : throw Bad(text, "a scale or noise must be a finite number > 0");

    static ThresherInputException Bad(string text, string hint) => new($"inject '{text}': {hint}");

    static string Invariant(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
}
