using Thresher.Core.Kernels;

namespace Thresher.Core.Tests.Kernels;

/// <summary>
/// The bf16 codec: <see cref="Bf16"/> bit for bit against <see cref="Bf16Naive"/> on every width and length 0..257 (random
/// bit patterns, so NaN, ∞, subnormals and ties all occur), the twin against an independent round-to-nearest-even worked
/// out in double, NaN kept NaN, and decode exact for all 65,536 bf16 values.
/// </summary>
public class Bf16Tests
{
    public static readonly TheoryData<string> Paths = ["public", "scalar", "vector128", "vector256", "vector512"];

    [Theory]
    [MemberData(nameof(Paths))]
    public void Encode_equals_the_naive_twin_bit_for_bit(string path)
    {
        for (int n = 0; n <= 257; n++)
        {
            float[] x = Values(n, seed: n);
            ushort[] expected = new ushort[n], actual = new ushort[n];
            Bf16Naive.Encode(expected, x);
            KernelPath.Run(path, () => Bf16.Encode(actual, x), w => Bf16.Encode(actual, [], x, [], w));
            Assert.True(expected.AsSpan().SequenceEqual(actual), $"{path} n={n}: first difference at {Mismatch(expected, actual)}");
        }
    }

    [Theory]
    [MemberData(nameof(Paths))]
    public void Encode_with_feedback_equals_the_naive_twin_bit_for_bit(string path)
    {
        for (int n = 0; n <= 257; n++)
        {
            float[] g = Values(n, seed: n), e = Scaled(KernelTestData.Uniform(n, n + 1000), 1e-3f);
            ushort[] expected = new ushort[n], actual = new ushort[n];
            float[] eExpected = new float[n], eActual = new float[n];
            Bf16Naive.EncodeWithFeedback(expected, eExpected, g, e);
            KernelPath.Run(path, () => Bf16.EncodeWithFeedback(actual, eActual, g, e), w => Bf16.EncodeWithFeedback(actual, eActual, g, e, w));
            Assert.True(expected.AsSpan().SequenceEqual(actual), $"{path} n={n}: first difference at {Mismatch(expected, actual)}");
            KernelTestData.Identical(eExpected, eActual, $"residual {path} n={n}");
            Assert.All(eActual, r => Assert.True(float.IsFinite(r), $"residual {r} is not finite"));

            float[] inPlace = (float[])e.Clone(); // residualOut aliasing residualIn: the worker's own buffer updated in place
            KernelPath.Run(path, () => Bf16.EncodeWithFeedback(actual, inPlace, g, inPlace), w => Bf16.EncodeWithFeedback(actual, inPlace, g, inPlace, w));
            KernelTestData.Identical(eExpected, inPlace, $"residual in place {path} n={n}");
        }
    }

    [Theory]
    [MemberData(nameof(Paths))]
    public void Decode_equals_the_naive_twin_for_every_bf16_value(string path)
    {
        ushort[] all = new ushort[65536];
        for (int h = 0; h < all.Length; h++) all[h] = (ushort)h;
        foreach (int n in new[] { 0, 1, 7, 31, 33, 65536 })
        {
            float[] expected = new float[n], actual = new float[n];
            Bf16Naive.Decode(expected, all.AsSpan(0, n));
            KernelPath.Run(path, () => Bf16.Decode(actual, all.AsSpan(0, n)), w => Bf16.Decode(actual, all.AsSpan(0, n), w));
            for (int h = 0; h < n; h++)
                Assert.Equal((uint)h << 16, BitConverter.SingleToUInt32Bits(actual[h])); // exact: bf16 is float32's top half
        }
    }

    [Fact]
    public void Naive_encode_is_round_to_nearest_even()
    {
        foreach (float x in Values(100_000, seed: 7).Concat(EdgeValues()))
        {
            if (float.IsNaN(x)) continue;
            Assert.True(ReferenceEncode(x) == Bf16Naive.Encode(x), $"x = {x:R} (0x{BitConverter.SingleToUInt32Bits(x):X8}): expected 0x{ReferenceEncode(x):X4}, got 0x{Bf16Naive.Encode(x):X4}");
        }
    }

    [Theory]
    [MemberData(nameof(Paths))]
    public void NaN_stays_NaN_and_infinity_stays_infinity(string path)
    {
        // Payload only in the low 16 bits: truncating without the quiet bit would give ±∞ and hide the NaN from the non-finite policy.
        uint[] nanBits = [0x7F80_0001u, 0xFF80_0001u, 0x7F80_8000u, 0x7FC0_0000u, 0xFFFF_FFFFu, 0x7FBF_FFFFu];
        float[] x = [.. nanBits.Select(BitConverter.UInt32BitsToSingle), float.PositiveInfinity, float.NegativeInfinity];
        x = [.. Enumerable.Repeat(x, 8).SelectMany(v => v)]; // 64 values: every vector branch sees them
        ushort[] q = new ushort[x.Length];
        float[] residual = new float[x.Length], decoded = new float[x.Length];
        KernelPath.Run(path, () => Bf16.EncodeWithFeedback(q, residual, x, new float[x.Length]), w => Bf16.EncodeWithFeedback(q, residual, x, new float[x.Length], w));
        Bf16.Decode(decoded, q);
        for (int i = 0; i < x.Length; i++)
        {
            Assert.True(float.IsNaN(x[i]) ? float.IsNaN(decoded[i]) : decoded[i] == x[i], $"{path}: 0x{BitConverter.SingleToUInt32Bits(x[i]):X8} became {decoded[i]}");
            Assert.Equal(float.IsNegative(x[i]), float.IsNegative(decoded[i]));
            Assert.Equal(0f, residual[i]); // a non-finite element is not carried into the next step
        }
    }

    [Fact]
    public void Largest_finite_floats_round_to_infinity_with_no_residual()
    {
        float[] x = [float.MaxValue, -float.MaxValue, BitConverter.UInt32BitsToSingle(0x7F7F_8000u), BitConverter.UInt32BitsToSingle(0x7F7F_0000u)];
        ushort[] q = new ushort[4];
        float[] residual = new float[4];
        Bf16.EncodeWithFeedback(q, residual, x, new float[4]);
        Assert.Equal([0x7F80, 0xFF80, 0x7F80, 0x7F7F], q); // the tie above bf16's largest finite (odd) goes up to ∞; the largest itself is kept
        Assert.Equal([0f, 0f, 0f, 0f], residual);
    }

    /// <summary>Round to nearest even, worked out in double: the two bf16 neighbours of x, the nearer, on a tie the even one.</summary>
    static ushort ReferenceEncode(float x)
    {
        uint bits = BitConverter.SingleToUInt32Bits(x);
        if (float.IsInfinity(x)) return (ushort)(bits >> 16);
        uint down = bits & 0xFFFF_0000u, up = down + 0x1_0000u; // toward zero; away from zero (its exponent may carry)
        double lower = BitConverter.UInt32BitsToSingle(down);
        double upper = (up & 0x7F80_0000u) == 0x7F80_0000u ? Math.CopySign(Math.Pow(2, 128), x) : BitConverter.UInt32BitsToSingle(up);
        double toLower = Math.Abs(x - lower), toUpper = Math.Abs(upper - x);
        uint chosen = toLower < toUpper ? down : toUpper < toLower ? up : ((down >> 16) & 1) == 0 ? down : up;
        return (ushort)(chosen >> 16);
    }

    /// <summary>Random bit patterns (every class of float), with ties, ±0, subnormals and the extremes every 5th element.</summary>
    static float[] Values(int n, int seed)
    {
        var random = new Random(seed);
        float[] edges = EdgeValues();
        var x = new float[n];
        for (int i = 0; i < n; i++)
            x[i] = i % 5 == 4 ? edges[random.Next(edges.Length)] : BitConverter.UInt32BitsToSingle((uint)random.NextInt64(1L << 32));
        return x;
    }

    static float[] EdgeValues() =>
    [
        0f, -0f, 1f, -1f, float.Epsilon, -float.Epsilon, float.MaxValue, -float.MaxValue, float.MinValue,
        BitConverter.UInt32BitsToSingle(0x3F80_8000u), // 1 + 2^-8: a tie, kept part even → rounds down
        BitConverter.UInt32BitsToSingle(0x3F81_8000u), // a tie, kept part odd → rounds up
        BitConverter.UInt32BitsToSingle(0x3F80_8001u), BitConverter.UInt32BitsToSingle(0x3F80_7FFFu),
        BitConverter.UInt32BitsToSingle(0x007F_FFFFu), BitConverter.UInt32BitsToSingle(0x0000_8000u), // subnormals: carry into the exponent; a tie at 0
        BitConverter.UInt32BitsToSingle(0x7F7F_8000u), BitConverter.UInt32BitsToSingle(0xFF7F_7FFFu), // near the top: to ∞ and kept
        float.PositiveInfinity, float.NegativeInfinity, float.NaN,
    ];

    static float[] Scaled(float[] a, float s)
    {
        for (int i = 0; i < a.Length; i++) a[i] *= s;
        return a;
    }

    static int Mismatch(ushort[] expected, ushort[] actual) => expected.AsSpan().CommonPrefixLength(actual);
}
