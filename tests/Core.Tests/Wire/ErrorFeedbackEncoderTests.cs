using System.Runtime.InteropServices;
using Thresher.Core.Kernels;
using Thresher.Core.Tests.Kernels;
using Thresher.Core.Wire;

namespace Thresher.Core.Tests.Wire;

/// <summary>
/// Error feedback's promise, worked out: with q_t = bf16(v_t), v_t = fl(g_t + e_{t−1}) and e_t = v_t − q_t (exact), the
/// sums telescope: Σ_t q_t = Σ_t g_t − e_T + Σ_t δ_t, where δ_t = v_t − (g_t + e_{t−1}) is float32's rounding of the one
/// addition (|δ_t| ≤ ½ ulp₃₂(v_t)) and |e_T| ≤ ½ ulp_bf16(v_T) = 2¹⁶ · ½ ulp₃₂(v_T) (7 mantissa bits against 23). So the running sum of what was sent
/// stays within one residual (plus T float32 half-ulps) of the running sum of the true gradients, where plain rounding
/// drifts by up to T half-ulps of bf16.
/// </summary>
public class ErrorFeedbackEncoderTests
{
    [Fact]
    public void The_sum_of_sent_gradients_tracks_the_true_sum_within_one_residual()
    {
        const int P = 64, T = 2000;
        var random = new Random(3);
        var encoder = new ErrorFeedbackEncoder(P);
        double[] trueSum = new double[P], sentSum = new double[P], plainSum = new double[P], roundingBound = new double[P];
        var g = new float[P];
        var plain = new ushort[P];
        for (int t = 0; t < T; t++)
        {
            for (int i = 0; i < P; i++) g[i] = i == 0 ? 1f + 1f / 1024 : (float)(random.NextDouble() * 2 - 1) * 0.01f; // 1 + 2⁻¹⁰: no bf16 holds it
            for (int i = 0; i < P; i++) roundingBound[i] += HalfUlp32(g[i] + encoder.Residual[i]);
            var sent = MemoryMarshal.Cast<byte, ushort>(encoder.Encode(t, g));
            Bf16Naive.Encode(plain, g);
            for (int i = 0; i < P; i++)
            {
                trueSum[i] += g[i];
                sentSum[i] += Bf16Naive.Decode(sent[i]);
                plainSum[i] += Bf16Naive.Decode(plain[i]);
            }
        }
        for (int i = 0; i < P; i++)
        {
            double residual = encoder.Residual[i];
            double lastV = Bf16Naive.Decode(MemoryMarshal.Cast<byte, ushort>(encoder.Encode(T - 1, g))[i]) + residual; // v_T = q_T + e_T
            Assert.True(Math.Abs(residual) <= 65536 * HalfUlp32((float)lastV), $"element {i}: |e_T| = {Math.Abs(residual):G4} > ½ bf16 ulp of v_T = {lastV:G6}");
            double gap = Math.Abs(sentSum[i] - trueSum[i]);
            Assert.True(gap <= Math.Abs(residual) + roundingBound[i] + 1e-12,
                $"element {i}: |Σq − Σg| = {gap:G4} > |e_T| {Math.Abs(residual):G4} + Σ½ulp₃₂ {roundingBound[i]:G4}");
        }
        // Without feedback the constant 1 + 2⁻¹⁰ is sent as 1 every step: T · 2⁻¹⁰ ≈ 1.95 lost, against ≤ 2⁻⁸ with it.
        Assert.True(Math.Abs(plainSum[0] - trueSum[0]) > 1.9, $"plain rounding lost only {Math.Abs(plainSum[0] - trueSum[0])}");
        Assert.True(Math.Abs(sentSum[0] - trueSum[0]) < 1.0 / 256, $"error feedback lost {Math.Abs(sentSum[0] - trueSum[0])}");
    }

    [Fact]
    public void A_step_encoded_again_gives_the_same_bytes_and_residual()
    {
        float[] g0 = KernelTestData.Uniform(100, 1), g1 = KernelTestData.Uniform(100, 2);
        var encoder = new ErrorFeedbackEncoder(100);
        encoder.Encode(0, g0);
        byte[] first = (byte[])encoder.Encode(1, g1).Clone();
        float[] residual = encoder.Residual.ToArray();
        byte[] again = encoder.Encode(1, g1); // the parameter server retried step 1
        Assert.Equal(first, again);
        Assert.Equal(residual, encoder.Residual.ToArray());
        Assert.Contains(residual, r => r != 0f);

        var fresh = new ErrorFeedbackEncoder(100); // step 1 from a zero residual differs: the retry did start from e_0
        fresh.Encode(1, g1);
        Assert.NotEqual(residual, fresh.Residual.ToArray());
    }

    [Fact]
    public void A_NaN_is_sent_as_NaN_and_not_carried_into_the_next_step()
    {
        var encoder = new ErrorFeedbackEncoder(3);
        var sent = MemoryMarshal.Cast<byte, ushort>(encoder.Encode(0, [float.NaN, float.PositiveInfinity, 0.1f]));
        Assert.True(float.IsNaN(Bf16Naive.Decode(sent[0])));
        Assert.Equal(float.PositiveInfinity, Bf16Naive.Decode(sent[1]));
        Assert.Equal(0f, encoder.Residual[0]);
        Assert.Equal(0f, encoder.Residual[1]);
        Assert.NotEqual(0f, encoder.Residual[2]); // 0.1 is not a bf16
        sent = MemoryMarshal.Cast<byte, ushort>(encoder.Encode(1, [0.5f, 0.25f, 0f]));
        Assert.Equal(0.5f, Bf16Naive.Decode(sent[0]));
        Assert.Equal(0.25f, Bf16Naive.Decode(sent[1]));
    }

    [Fact]
    public void The_server_reads_the_format_from_the_length()
    {
        float[] g = [1.5f, -2f, float.NaN];
        byte[] fp32 = MemoryMarshal.AsBytes(g.AsSpan()).ToArray(), decoded = new byte[12];
        Assert.Same(fp32, WireFormats.ToFloat32(fp32, decoded));
        byte[] bf16 = new ErrorFeedbackEncoder(3).Encode(0, g);
        Assert.Same(decoded, WireFormats.ToFloat32(bf16, decoded));
        float[] back = MemoryMarshal.Cast<byte, float>(decoded.AsSpan()).ToArray();
        Assert.Equal(1.5f, back[0]);
        Assert.Equal(-2f, back[1]);
        Assert.True(float.IsNaN(back[2]));
        Assert.Throws<ArgumentException>(() => WireFormats.ToFloat32(new byte[5], decoded));
    }

    [Theory]
    [InlineData(null, WireFormat.Fp32)]
    [InlineData("", WireFormat.Fp32)]
    [InlineData("FP32", WireFormat.Fp32)]
    [InlineData("bf16", WireFormat.Bf16)]
    public void Wire_names_parse(string? name, WireFormat expected) => Assert.Equal(expected, WireFormats.Parse(name));

    [Fact]
    public void An_unknown_wire_names_the_value_and_the_choices()
        => Assert.Equal("wire 'fp16': must be fp32 or bf16", Assert.Throws<ThresherInputException>(() => WireFormats.Parse("fp16")).Message);

    static double HalfUlp32(float v) => float.IsFinite(v) ? (double)(MathF.BitIncrement(MathF.Abs(v)) - MathF.Abs(v)) / 2 : 0;
}
