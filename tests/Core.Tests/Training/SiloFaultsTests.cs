using Thresher.Core.Training;

namespace Thresher.Core.Tests.Training;

public sealed class SiloFaultsTests
{
    [Fact]
    public void A_silo_is_avoided_at_the_limit_when_another_silo_is_active()
    {
        var faults = new SiloFaults(3);
        Assert.False(faults.Count("a:1"));
        Assert.False(faults.Count("b:2")); // faults count per silo
        Assert.False(faults.Count("a:1"));
        Assert.True(faults.Count("a:1"));
        Assert.Equal(SiloMove.MoveOff, faults.MoveOff("a:1", ["a:1", "b:2"]));
        Assert.Equal(["a:1"], faults.Avoided);
        Assert.False(faults.Count("a:1")); // avoided already: nothing more to do
        Assert.Equal(4, faults.FaultsOf("a:1"));
    }

    [Fact]
    public void With_no_other_active_silo_the_workers_stay()
    {
        var faults = new SiloFaults(1);
        Assert.True(faults.Count("a:1"));
        Assert.Equal(SiloMove.NowhereToGo, faults.MoveOff("a:1", ["a:1"]));
        Assert.Empty(faults.Avoided);
        Assert.True(faults.Count("b:2"));
        Assert.Equal(SiloMove.MoveOff, faults.MoveOff("b:2", ["a:1", "b:2"]));
        Assert.True(faults.Count("a:1")); // still at the limit, not avoided
        Assert.Equal(SiloMove.None, faults.MoveOff("a:1", ["a:1", "b:2"])); // b is avoided: still nowhere to go, said once
        Assert.True(faults.Count("a:1"));
        Assert.Equal(SiloMove.MoveOff, faults.MoveOff("a:1", ["a:1", "b:2", "c:3"])); // a silo joined
        Assert.Equal(["a:1", "b:2"], faults.Avoided);
    }

    [Fact]
    public void A_limit_of_zero_never_moves()
    {
        var faults = new SiloFaults(0);
        for (int i = 0; i < 10; i++) Assert.False(faults.Count("a:1"));
        Assert.Empty(faults.Avoided);
    }
}
