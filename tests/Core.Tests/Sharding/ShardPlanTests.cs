using Thresher.Core.Model;
using Thresher.Core.Sharding;

namespace Thresher.Core.Tests.Sharding;

/// <summary>ShardPlan cuts θ into contiguous shards at tensor (or, for AGC, layer) boundaries, balanced, and slices and gathers exactly.</summary>
public sealed class ShardPlanTests
{
    static readonly ParameterLayout Tutorial = new(new MlpConfig([784, 512, 256, 10]));

    [Theory]
    [InlineData(1, false)]
    [InlineData(2, false)]
    [InlineData(4, false)]
    [InlineData(6, false)]
    [InlineData(3, true)]
    public void Shards_cover_the_layout_contiguously_at_tensor_boundaries(int shards, bool wholeLayers)
    {
        var plan = new ShardPlan(Tutorial, shards, wholeLayers);
        Assert.Equal(shards, plan.Count);
        int offset = 0, tensor = 0;
        foreach (var r in plan.Shards)
        {
            Assert.Equal(offset, r.Offset);
            Assert.Equal(tensor, r.FirstTensor);
            Assert.True(r.Tensors >= 1);
            Assert.Equal(Tutorial.Slices[r.FirstTensor].Offset, r.Offset);
            if (wholeLayers) Assert.Equal(0, r.FirstTensor % 2);
            offset += r.Length;
            tensor += r.Tensors;
        }
        Assert.Equal(Tutorial.TotalLength, offset);
        Assert.Equal(Tutorial.Slices.Count, tensor);
    }

    [Fact]
    public void Two_shards_of_the_tutorial_MLP_put_w1_alone_and_the_rest_together()
    {
        // w1 is 401,408 of 535,818 floats: the smallest largest shard is w1 alone.
        var plan = new ShardPlan(Tutorial, 2, wholeLayers: false);
        Assert.Equal((0, 1), (plan.Shards[0].FirstTensor, plan.Shards[0].Tensors));
        Assert.Equal(784 * 512, plan.Shards[0].Length);
        Assert.Equal(Tutorial.TotalLength - 784 * 512, plan.Shards[1].Length);
    }

    [Theory]
    [InlineData(0, false)]
    [InlineData(7, false)]
    [InlineData(4, true)]
    public void More_shards_than_cut_points_or_fewer_than_one_are_refused_naming_the_range(int shards, bool wholeLayers)
    {
        var e = Assert.Throws<ThresherInputException>(() => new ShardPlan(Tutorial, shards, wholeLayers));
        Assert.Contains($"ps-shards {shards}: must be in 1..{(wholeLayers ? 3 : 6)}", e.Message);
    }

    [Fact]
    public void Slices_gathered_give_the_buffer_back()
    {
        var plan = new ShardPlan(new ParameterLayout(new MlpConfig([13, 7, 5, 3])), 4, wholeLayers: false);
        var whole = Enumerable.Range(0, plan.Layout.TotalLength * sizeof(float)).Select(i => (byte)(i * 31)).ToArray();
        var slices = Enumerable.Range(0, plan.Count).Select(s => plan.Slice(whole, s)).ToArray();
        Assert.Equal(whole.Length, slices.Sum(s => s.Length));
        var back = new byte[whole.Length];
        plan.Gather(slices, back);
        Assert.Equal(whole, back);
    }
}
