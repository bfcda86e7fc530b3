namespace Thresher.Client.Tests;

/// <summary>
/// A Redis that comes back without its data (restarted without persistence, or emptied) has lost the membership
/// table: a silo finds its row gone and exits with code 3 so its supervisor restarts it, and `thresher cluster`
/// answers with one clear line (0 or 3, never an unexpected exception).
/// </summary>
public sealed class MembershipLossTests
{
    [RedisFact]
    public async Task A_silo_whose_membership_row_is_gone_exits_3_and_cluster_answers_clearly()
    {
        using var redis = RedisServer.Own();
        await redis.InitializeAsync();
        string clusterId = $"lost-{Guid.NewGuid():N}"[..16];
        await using var silo = await SiloProcess.StartAsync(clusterId: clusterId, extraArgs: ["--redis", redis.Address]);

        Assert.Equal("+OK", redis.Command("FLUSHALL"));
        var (code, _, stderr) = await CliRunner.RunExecutable("cluster", "--gateway", silo.Gateway, "--cluster-id", clusterId, "--connect-timeout", "10");
        Assert.True(code is 0 or 3, $"cluster: exit {code}: {stderr}");
        Assert.DoesNotContain("unexpected", stderr, StringComparison.Ordinal);

        await Wait.Until(() => silo.HasExited, TimeSpan.FromSeconds(90), "the silo to exit after its membership row vanished");
        Assert.Equal(3, silo.ExitCode);
        Assert.Contains("the membership table no longer lists this silo", silo.Output, StringComparison.Ordinal);
    }
}
