using Thresher.Core.Model;
using Thresher.Core.Ops;
using Thresher.Core.Training;

namespace Thresher.Core.Tests.Training;

/// <summary>The norm pass's split: blocks cover every value once, threads get consecutive blocks of about 1/T of the values.</summary>
public sealed class NormBlockPlanTests
{
    static readonly ParameterLayout Tutorial = new(MlpConfig.Tutorial);
    static readonly int[] Offsets = [.. Tutorial.Slices.Select(s => s.Offset)];
    static readonly int[] Lengths = [.. Tutorial.Slices.Select(s => s.Length)];

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    [InlineData(64)]
    public void Every_value_is_in_one_block_of_one_thread_in_layout_order(int threads)
    {
        var plan = new NormBlockPlan(Offsets, Lengths, threads);

        Assert.Equal(37, plan.Blocks); // w1 25, b1 1, w2 8, b2 1, w3 1, b3 1
        int next = 0;
        for (int t = 0; t < threads; t++)
        {
            var (first, last) = plan.BlocksOf(t);
            for (int b = first; b < last; b++)
            {
                var range = plan.Block(b);
                Assert.Equal(next, range.Start.Value);
                Assert.InRange(range.End.Value - range.Start.Value, 1, ClipOps.NormBlockLength);
                next = range.End.Value;
            }
        }
        Assert.Equal(Tutorial.TotalLength, next);
    }

    [Theory]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    public void Threads_sum_the_same_number_of_values_within_one_block(int threads)
    {
        var plan = new NormBlockPlan(Offsets, Lengths, threads);
        var values = Enumerable.Range(0, threads).Select(t =>
        {
            var (first, last) = plan.BlocksOf(t);
            return Enumerable.Range(first, last - first).Sum(b => plan.Block(b).End.Value - plan.Block(b).Start.Value);
        }).ToArray();
        double even = (double)Tutorial.TotalLength / threads;
        Assert.All(values, v => Assert.InRange(v, even - ClipOps.NormBlockLength, even + ClipOps.NormBlockLength));
    }

    [Fact]
    public void Tensor_sums_add_each_tensors_blocks_in_order()
    {
        var plan = new NormBlockPlan([0, 5, 5], [5, 0, 2 * ClipOps.NormBlockLength + 1], 2);
        Assert.Equal(4, plan.Blocks);
        Assert.Equal([1.0, 0.0, (0.1 + 0.2) + 1e20], plan.TensorSums([1.0, 0.1, 0.2, 1e20]));
        Assert.Throws<ArgumentException>(() => plan.TensorSums([1.0]));
    }
}
