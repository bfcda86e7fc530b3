namespace Thresher.Grains.Tests;

/// <summary>The run registry's stored lists: active runs are the listed ones not ended; two activations' writes merge without loss.</summary>
public sealed class RunRegistryRecordTests
{
    [Fact]
    public void Active_runs_are_the_listed_ones_not_ended_in_submission_order()
    {
        var record = new RunRegistryRecord();
        Assert.True(record.Add("b"));
        Assert.True(record.Add("a"));
        Assert.True(record.Add("c"));
        Assert.False(record.Add("a"));
        Assert.True(record.End("a"));
        Assert.False(record.End("a"));
        Assert.False(record.End("never-listed"));

        Assert.Equal(["b", "c"], record.Active);
        Assert.Equal(["b", "a", "c"], record.Runs);
    }

    [Fact]
    public void A_superseded_activations_writes_merge_with_ours_and_nothing_is_lost()
    {
        var stored = new RunRegistryRecord();   // what the other activation wrote first
        stored.Add("x");
        stored.Add("y");
        stored.End("x");
        var mine = new RunRegistryRecord();
        mine.Add("y");
        mine.Add("z");
        mine.End("y");

        mine.Merge(stored);

        Assert.Equal(["x", "y", "z"], mine.Runs);
        Assert.Equal(["z"], mine.Active);
    }
}
