using Thresher.Core.Ops;

namespace Thresher.Core.Training;

/// <summary>
/// How the norm pass splits over threads: every tensor cut into blocks of <see cref="ClipOps.NormBlockLength"/> values
/// from the tensor's start (the blocks <see cref="ClipOps.SumOfSquares"/> is defined over), all blocks in layout order,
/// and each thread given a run of consecutive blocks holding about 1/T of the values (w1, 75 % of the default MLP, is
/// shared by every thread instead of owning one). Threads write their blocks' sums into one array, one slot per block;
/// <see cref="TensorSums"/> then adds each tensor's slots in block order, which is the serial definition's order — so
/// the per-tensor Σ x² are bit-identical for any thread count.
/// </summary>
internal sealed class NormBlockPlan
{
    readonly int[] _tensorOfBlock, _startOfBlock, _lengthOfBlock; // per block, layout order; start: index in the flat buffer
    readonly int[] _firstBlockOfThread;                            // [T + 1]: thread t sums blocks [first[t], first[t + 1])
    readonly int _tensors;

    /// <param name="offsets">Each tensor's first index in the flat buffer, layout order. (K)</param>
    /// <param name="lengths">Each tensor's length. (K)</param>
    /// <param name="threads">Threads the pass runs on (≥ 1); a thread may get no block when there are fewer blocks.</param>
    public NormBlockPlan(int[] offsets, int[] lengths, int threads)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(threads, 1);
        if (offsets.Length != lengths.Length) throw new ArgumentException("one offset per tensor length", nameof(offsets));
        _tensors = lengths.Length;
        int blocks = lengths.Sum(ClipOps.NormBlockCount);
        _tensorOfBlock = new int[blocks];
        _startOfBlock = new int[blocks];
        _lengthOfBlock = new int[blocks];
        int b = 0;
        for (int k = 0; k < lengths.Length; k++)
        {
            for (int start = 0; start < lengths[k]; start += ClipOps.NormBlockLength, b++)
            {
                _tensorOfBlock[b] = k;
                _startOfBlock[b] = offsets[k] + start;
                _lengthOfBlock[b] = Math.Min(ClipOps.NormBlockLength, lengths[k] - start);
            }
        }
        _firstBlockOfThread = SplitByValues(_lengthOfBlock, threads);
    }

    /// <summary>Threads the plan was made for.</summary>
    public int Threads => _firstBlockOfThread.Length - 1;

    /// <summary>Blocks over all tensors.</summary>
    public int Blocks => _tensorOfBlock.Length;

    /// <summary>The blocks thread <paramref name="thread"/> sums, [First, Last).</summary>
    public (int First, int Last) BlocksOf(int thread) => (_firstBlockOfThread[thread], _firstBlockOfThread[thread + 1]);

    /// <summary>Block <paramref name="block"/>'s elements in the flat buffer.</summary>
    public Range Block(int block) => new(_startOfBlock[block], _startOfBlock[block] + _lengthOfBlock[block]);

    /// <summary>Each tensor's Σ x² from the blocks' sums (one per block, layout order): 0 + its blocks' sums in block order. (K)</summary>
    public double[] TensorSums(double[] blockSums)
    {
        if (blockSums.Length != Blocks) throw new ArgumentException($"{blockSums.Length} block sums for {Blocks} blocks", nameof(blockSums));
        var sums = new double[_tensors];
        for (int b = 0; b < blockSums.Length; b++) sums[_tensorOfBlock[b]] += blockSums[b];
        return sums;
    }

    /// <summary>
    /// Thread boundaries over the blocks: block b goes to thread ⌊middle(b)·T / total⌋, where middle(b) is the position
    /// of the block's middle value; that is non-decreasing in b, so each thread's blocks are consecutive. ([T + 1])
    /// </summary>
    static int[] SplitByValues(int[] lengthOfBlock, int threads)
    {
        long total = lengthOfBlock.Sum(l => (long)l);
        var first = new int[threads + 1];
        long before = 0; // values in the blocks ahead of b
        int b = 0;
        for (int t = 0; t < threads; t++)
        {
            first[t] = b;
            while (b < lengthOfBlock.Length && (before + lengthOfBlock[b] / 2) * threads / Math.Max(total, 1) <= t)
                before += lengthOfBlock[b++];
        }
        first[threads] = lengthOfBlock.Length;
        return first;
    }
}
