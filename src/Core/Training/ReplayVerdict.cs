namespace Thresher.Core.Training;

/// <summary>What a replay of a spike's suspect part on another worker says about its cause.</summary>
public enum Verdict
{
    /// <summary>No replay was made.</summary>
    None,

    /// <summary>The same gradient from another worker: the batch is the cause; it joins the run's skip list.</summary>
    Data,

    /// <summary>A different gradient: the worker (its device or silo) is the cause; its part is taken from the replay.</summary>
    Fault,
}

/// <summary>
/// Compares a worker's part of a step with its replay on another worker from the same θ and rows. The kernels are
/// deterministic (every GEMM variant gives the same bits), so an honest replay is equal; a relative tolerance of
/// 1e-5 of the part's norm leaves room for a silo on another CPU. NaN or ∞ at the same places count as equal
/// (bad data makes them everywhere it is computed); anywhere else they differ.
/// </summary>
public static class ReplayVerdict
{
    public const double Tolerance = 1e-5;

    public static Verdict Compare(ReadOnlySpan<float> part, ReadOnlySpan<float> replay)
    {
        if (part.Length != replay.Length) throw new ArgumentException($"the replay has {replay.Length} floats; the part has {part.Length}", nameof(replay));
        double difference = 0, norm = 0;
        for (int i = 0; i < part.Length; i++)
        {
            float a = part[i], b = replay[i];
            if (!float.IsFinite(a) || !float.IsFinite(b))
            {
                if (a.Equals(b)) continue; // NaN equals NaN here, ∞ equals ∞
                return Verdict.Fault;
            }
            difference += ((double)a - b) * ((double)a - b);
            norm += (double)a * a;
        }
        return difference <= Tolerance * Tolerance * norm ? Verdict.Data : Verdict.Fault;
    }

    public static string Name(Verdict verdict) => verdict == Verdict.None ? "" : verdict.ToString().ToLowerInvariant();
}
