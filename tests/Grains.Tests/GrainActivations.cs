using Thresher.Abstractions;

namespace Thresher.Grains.Tests;

/// <summary>
/// Taking a parameter server's activation away for real: Release (DeactivateOnIdle), then wait until no silo's
/// catalog lists the grain, so the next call activates it afresh and it has to load its checkpoint from storage.
/// Without the wait a test could read the live activation and compare it with itself.
/// </summary>
static class GrainActivations
{
    static readonly TimeSpan DeactivationTimeout = TimeSpan.FromSeconds(15);

    /// <summary>Whether any silo of the cluster holds an activation of <paramref name="grain"/> now.</summary>
    public static async Task<bool> IsActive(IClusterClient client, IAddressable grain)
    {
        var id = grain.GetGrainId();
        var active = await client.GetGrain<IManagementGrain>(0).GetActiveGrains(id.Type);
        return active.Contains(id);
    }

    /// <summary>Deactivates the live parameter server and waits until it is gone from every silo.</summary>
    public static async Task ReleaseAndWaitUntilDeactivated(IClusterClient client, IParameterServerGrain server)
    {
        Assert.True(await IsActive(client, server), $"{server.GetGrainId()} is not active before Release: its deactivation would prove nothing");
        await server.Release();
        await Wait.Until(async () => !await IsActive(client, server), DeactivationTimeout, $"{server.GetGrainId()} to deactivate after Release");
    }

    /// <summary>Deactivates a live parameter-server shard (as if its silo died) and waits until it is gone from every silo.</summary>
    public static async Task ReleaseAndWaitUntilDeactivated(IClusterClient client, IParameterShardGrain shard)
    {
        Assert.True(await IsActive(client, shard), $"{shard.GetGrainId()} is not active before Release: its deactivation would prove nothing");
        await shard.Release();
        await Wait.Until(async () => !await IsActive(client, shard), DeactivationTimeout, $"{shard.GetGrainId()} to deactivate after Release");
    }
}
