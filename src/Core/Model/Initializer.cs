using MathNet.Numerics.Distributions;
using MathNet.Numerics.Random;

namespace Thresher.Core.Model;

/// <summary>How weights are drawn. Biases always start at zero.</summary>
public enum InitKind
{
    /// <summary>TensorFlow's truncated_normal(stddev 0.1): N(0, 0.1²), values beyond 2σ redrawn (the tutorial's).</summary>
    TruncNormal,

    /// <summary>He (Kaiming) normal: N(0, 2/fan_in), suited to ReLU layers.</summary>
    He,

    /// <summary>Glorot (Xavier) uniform: U(−√(6/(fan_in+fan_out)), +√(6/(fan_in+fan_out))).</summary>
    Glorot,
}

/// <summary>
/// Seeded, reproducible parameter initialisation. One Mersenne Twister stream (MathNet.Numerics) per
/// seed, consumed tensor by tensor in layout order (w1, w2, …), so the same seed gives the same θ on
/// every machine and for every worker count.
/// </summary>
public static class Initializer
{
    /// <summary>Standard deviation of the tutorial's truncated normal.</summary>
    public const double TruncNormalStdDev = 0.1;

    /// <summary>Fills <paramref name="theta"/> (layout order) with fresh parameters.</summary>
    public static void Initialize(Span<float> theta, ParameterLayout layout, InitKind kind, int seed)
    {
        ArgumentNullException.ThrowIfNull(layout);
        if (theta.Length != layout.TotalLength)
            throw new ArgumentException($"parameter buffer has {theta.Length} floats, layout needs {layout.TotalLength}", nameof(theta));
        var rng = new MersenneTwister(seed, threadSafe: false);
        for (int l = 0; l < layout.Config.Depth; l++)
        {
            var w = layout.Weight(l);
            int fanIn = w.Shape[0], fanOut = w.Shape[1];
            Fill(w.Of(theta), kind, fanIn, fanOut, rng);
            layout.Bias(l).Of(theta).Clear();
        }
    }

    static void Fill(Span<float> w, InitKind kind, int fanIn, int fanOut, System.Random rng)
    {
        switch (kind)
        {
            case InitKind.TruncNormal:
                for (int i = 0; i < w.Length; i++) w[i] = (float)TruncatedNormal(rng, TruncNormalStdDev);
                break;
            case InitKind.He:
                double heStd = Math.Sqrt(2.0 / fanIn);
                for (int i = 0; i < w.Length; i++) w[i] = (float)Normal.Sample(rng, 0, heStd);
                break;
            case InitKind.Glorot:
                double limit = Math.Sqrt(6.0 / (fanIn + fanOut));
                for (int i = 0; i < w.Length; i++) w[i] = (float)ContinuousUniform.Sample(rng, -limit, limit);
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(kind), kind, "unknown initialiser");
        }
    }

    /// <summary>TensorFlow's truncated normal: redraw until |v| ≤ 2σ.</summary>
    static double TruncatedNormal(System.Random rng, double stdDev)
    {
        while (true)
        {
            double v = Normal.Sample(rng, 0, stdDev);
            if (Math.Abs(v) <= 2 * stdDev) return v;
        }
    }

    public static InitKind Parse(string text) => text?.ToLowerInvariant() switch
    {
        "truncnormal" or "truncated-normal" or "truncated_normal" => InitKind.TruncNormal,
        "he" or "kaiming" => InitKind.He,
        "glorot" or "xavier" => InitKind.Glorot,
        _ => throw new ThresherInputException($"init '{text}': unknown initialiser; expected truncnormal, he or glorot"),
    };

    /// <summary>The name <see cref="Parse"/> reads back: truncnormal, he or glorot.</summary>
    public static string Name(this InitKind kind) => kind switch
    {
        InitKind.He => "he",
        InitKind.Glorot => "glorot",
        _ => "truncnormal",
    };
}
