namespace Thresher.Core.Data;

/// <summary>
/// SplitMix64 (Steele, Lea and Flood, 2014; Vigna's reference splitmix64.c): a 64-bit state advanced by
/// 0x9E3779B97F4A7C15 and passed through a fixed finaliser. Every operation is integer arithmetic with
/// defined wrap-around, so the stream is identical on every platform and runtime — unlike
/// System.Random, whose algorithm is not guaranteed. Shard orders and batch permutations depend on it:
/// changing it changes every seeded training trajectory.
/// </summary>
public struct SplitMix64
{
    const ulong Golden = 0x9E3779B97F4A7C15UL;
    ulong _state;

    public SplitMix64(ulong seed) => _state = seed;

    /// <summary>The next 64 uniformly distributed bits.</summary>
    public ulong Next()
    {
        _state += Golden;
        return Mix(_state);
    }

    /// <summary>
    /// A uniform integer in [0, bound), unbiased: Lemire's multiply-shift with rejection
    /// ("Fast random integer generation in an interval", 2019).
    /// </summary>
    public int NextBelow(int bound)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(bound);
        ulong b = (ulong)bound;
        ulong high = Math.BigMul(Next(), b, out ulong low);
        if (low < b)
        {
            ulong threshold = (0UL - b) % b;
            while (low < threshold)
                high = Math.BigMul(Next(), b, out low);
        }
        return (int)high;
    }

    /// <summary>The SplitMix64 finaliser (a bijection on 64-bit values).</summary>
    public static ulong Mix(ulong z)
    {
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    /// <summary>
    /// The seed of an independent stream for (seed, epoch, stream): Mix(Mix(Mix(seed + G) ^ epoch) ^ stream)
    /// with G = 0x9E3779B97F4A7C15. BatchSchedule uses stream 0 for the global order and 1 + w for worker w.
    /// </summary>
    public static ulong Derive(ulong seed, long epoch, long stream)
    {
        ulong h = Mix(seed + Golden);
        h = Mix(h ^ (ulong)epoch);
        return Mix(h ^ (ulong)stream);
    }
}
