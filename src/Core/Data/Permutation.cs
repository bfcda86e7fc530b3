namespace Thresher.Core.Data;

/// <summary>Seeded permutations: Fisher–Yates (Durstenfeld) driven by <see cref="SplitMix64"/>.</summary>
public static class Permutation
{
    /// <summary>
    /// Shuffles <paramref name="values"/> in place: for i = n-1 down to 1, swap values[i] with
    /// values[j], j = NextBelow(i + 1) of a SplitMix64 seeded with <paramref name="seed"/>.
    /// </summary>
    public static void Shuffle(Span<int> values, ulong seed)
    {
        var rng = new SplitMix64(seed);
        for (int i = values.Length - 1; i > 0; i--)
        {
            int j = rng.NextBelow(i + 1);
            (values[i], values[j]) = (values[j], values[i]);
        }
    }

    /// <summary>0..n-1 in order.</summary>
    public static int[] Identity(int n)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(n);
        var p = new int[n];
        for (int i = 0; i < n; i++) p[i] = i;
        return p;
    }

    /// <summary>A permutation of 0..n-1: <see cref="Identity"/> shuffled with <paramref name="seed"/>.</summary>
    public static int[] Create(int n, ulong seed)
    {
        var p = Identity(n);
        Shuffle(p, seed);
        return p;
    }
}
