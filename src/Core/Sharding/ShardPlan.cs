using Thresher.Core.Model;

namespace Thresher.Core.Sharding;

/// <summary>One shard of θ: tensors [FirstTensor, FirstTensor + Tensors) of the layout, elements [Offset, Offset + Length).</summary>
public sealed record ShardRange(int Index, int FirstTensor, int Tensors, int Offset, int Length);

/// <summary>
/// θ's layout (w1, b1, w2, b2, …) split into S contiguous shards, cut only at tensor boundaries — or, when
/// <see cref="WholeLayers"/> (AGC, whose unit i is column i of w_k together with b_k[i]), only at layer boundaries.
/// Why there: the unsharded step sums each tensor's Σ g² in one pass (four interleaved double accumulators, no
/// block boundaries inside a tensor), so a tensor cut in two would add its squares in another order; whole tensors
/// keep every per-tensor sum, and so the global norm, bit-identical for every S. The cut points are chosen to
/// minimise the largest shard (a contiguous partition, by dynamic programming), so the plan is a pure function of
/// (layout, S, whole layers): every grain that builds it gets the same shards.
/// </summary>
public sealed class ShardPlan
{
    public ShardPlan(ParameterLayout layout, int shards, bool wholeLayers)
    {
        ArgumentNullException.ThrowIfNull(layout);
        int max = MaxShards(layout, wholeLayers);
        if (shards < 1 || shards > max)
            throw new ThresherInputException($"ps-shards {shards}: must be in 1..{max} (θ is cut only at {(wholeLayers ? "layer boundaries (agc)" : "tensor boundaries")}; layers {layout.Config} have {max} {(wholeLayers ? "layers" : "tensors")})");
        Layout = layout;
        WholeLayers = wholeLayers;
        int perUnit = wholeLayers ? 2 : 1; // tensors per indivisible unit
        var unitLengths = Enumerable.Range(0, max)
            .Select(u => (long)Enumerable.Range(u * perUnit, perUnit).Sum(k => layout.Slices[k].Length)).ToArray();
        var firstUnits = Partition(unitLengths, shards);
        var ranges = new ShardRange[shards];
        for (int s = 0; s < shards; s++)
        {
            int firstTensor = firstUnits[s] * perUnit;
            int endTensor = (s + 1 < shards ? firstUnits[s + 1] : max) * perUnit;
            int offset = layout.Slices[firstTensor].Offset;
            int end = endTensor < layout.Slices.Count ? layout.Slices[endTensor].Offset : layout.TotalLength;
            ranges[s] = new ShardRange(s, firstTensor, endTensor - firstTensor, offset, end - offset);
        }
        Shards = ranges;
    }

    /// <summary>The most shards a layout can be cut into: its tensors, or its layers when whole layers are kept together.</summary>
    public static int MaxShards(ParameterLayout layout, bool wholeLayers)
    {
        ArgumentNullException.ThrowIfNull(layout);
        return wholeLayers ? layout.Config.Depth : layout.Slices.Count;
    }

    public ParameterLayout Layout { get; }

    public bool WholeLayers { get; }

    public IReadOnlyList<ShardRange> Shards { get; }

    public int Count => Shards.Count;

    /// <summary>Shard <paramref name="shard"/>'s elements of a whole buffer (float32 bytes, layout order), copied.</summary>
    public byte[] Slice(ReadOnlySpan<byte> whole, int shard)
    {
        var r = Shards[shard];
        if (whole.Length != Layout.TotalLength * sizeof(float))
            throw new ArgumentException($"the buffer has {whole.Length / sizeof(float)} floats; the layout needs {Layout.TotalLength}", nameof(whole));
        return whole.Slice(r.Offset * sizeof(float), r.Length * sizeof(float)).ToArray();
    }

    /// <summary>The whole buffer from every shard's slice (shard order), into <paramref name="whole"/> (P floats as bytes).</summary>
    public void Gather(IReadOnlyList<byte[]> slices, Span<byte> whole)
    {
        ArgumentNullException.ThrowIfNull(slices);
        if (slices.Count != Count) throw new ArgumentException($"{slices.Count} slices for {Count} shards", nameof(slices));
        if (whole.Length != Layout.TotalLength * sizeof(float))
            throw new ArgumentException($"the buffer has {whole.Length / sizeof(float)} floats; the layout needs {Layout.TotalLength}", nameof(whole));
        for (int s = 0; s < Count; s++)
        {
            var r = Shards[s];
            if (slices[s].Length != r.Length * sizeof(float))
                throw new ArgumentException($"shard {s}'s slice has {slices[s].Length / sizeof(float)} floats; it holds {r.Length}", nameof(slices));
            slices[s].CopyTo(whole.Slice(r.Offset * sizeof(float)));
        }
    }

    /// <summary>
    /// The first unit of each of <paramref name="parts"/> contiguous non-empty groups of <paramref name="lengths"/> that
    /// minimise the largest group's sum (ties: the earliest cut). best[p, i] = the smallest largest sum of units [0, i) in p groups.
    /// </summary>
    static int[] Partition(long[] lengths, int parts)
    {
        int n = lengths.Length;
        var prefix = new long[n + 1];
        for (int i = 0; i < n; i++) prefix[i + 1] = prefix[i] + lengths[i];
        var best = new long[parts + 1, n + 1];
        var cut = new int[parts + 1, n + 1];
        for (int i = 1; i <= n; i++) best[1, i] = prefix[i];
        for (int p = 2; p <= parts; p++)
            for (int i = p; i <= n; i++)
            {
                best[p, i] = long.MaxValue;
                for (int j = p - 1; j < i; j++)
                {
                    long largest = Math.Max(best[p - 1, j], prefix[i] - prefix[j]);
                    if (largest < best[p, i]) (best[p, i], cut[p, i]) = (largest, j);
                }
            }
        var firsts = new int[parts];
        for (int p = parts, end = n; p >= 1; p--)
        {
            firsts[p - 1] = p == 1 ? 0 : cut[p, end];
            end = firsts[p - 1];
        }
        return firsts;
    }
}
