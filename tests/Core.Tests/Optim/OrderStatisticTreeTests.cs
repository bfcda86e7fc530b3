using Thresher.Core.Optim.Clipping;

namespace Thresher.Core.Tests.Optim;

/// <summary>The treap against a sorted list (its naive twin) through random inserts, removals and selections, duplicates included.</summary>
public sealed class OrderStatisticTreeTests
{
    [Fact]
    public void Follows_a_sorted_list_through_inserts_removals_and_selections()
    {
        var rng = new Random(11);
        var tree = new OrderStatisticTree();
        var live = new List<(double Value, long Sequence)>();
        for (long sequence = 0; sequence < 3000; sequence++)
        {
            if (live.Count > 0 && rng.NextDouble() < 0.4)
            {
                var victim = live[rng.Next(live.Count)];
                Assert.True(tree.Remove(victim.Value, victim.Sequence));
                live.Remove(victim);
            }
            double value = rng.Next(50) / 4.0; // many equal values
            tree.Insert(value, sequence);
            live.Add((value, sequence));
            Assert.Equal(live.Count, tree.Count);
            var sorted = live.Select(e => e.Value).Order().ToArray();
            int k = rng.Next(sorted.Length);
            Assert.Equal(sorted[k], tree.Select(k));
        }
        Assert.False(tree.Remove(99, 0));
        var all = live.Select(e => e.Value).Order().ToArray();
        Assert.Equal(all, Enumerable.Range(0, tree.Count).Select(tree.Select));
    }

    [Fact]
    public void Refuses_NaN_and_out_of_range_ranks()
    {
        var tree = new OrderStatisticTree();
        Assert.Throws<ArgumentException>(() => tree.Insert(double.NaN, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => tree.Select(0));
    }
}
