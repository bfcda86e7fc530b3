namespace Thresher.Client.Tests;

/// <summary>The faults of the chaos soak (README "Reliability", The chaos soak).</summary>
public enum ChaosFault
{
    /// <summary>kill -9 of a silo, then the same silo started again on its ports.</summary>
    KillSilo,

    /// <summary>SIGSTOP of a silo for <see cref="ChaosSchedule.StopSeconds"/>, then SIGCONT (and a restart if it exited meanwhile).</summary>
    StopSilo,

    /// <summary>SIGSTOP of Redis (membership, reminders, checkpoints) for <see cref="ChaosSchedule.RedisPauseSeconds"/>, then SIGCONT.</summary>
    PauseRedis,

    /// <summary>kill -9 of Redis, then the same server again on its append-only file.</summary>
    RestartRedis,
}

/// <summary>One fault of the schedule: what, on which silo (for the silo faults), and how long after the previous one.</summary>
public sealed record ChaosEvent(int Number, ChaosFault Fault, int Silo, TimeSpan After)
{
    public override string ToString() => Fault is ChaosFault.KillSilo or ChaosFault.StopSilo
        ? $"fault {Number}: {Fault} silo {Silo} (+{After.TotalSeconds:F0} s)"
        : $"fault {Number}: {Fault} (+{After.TotalSeconds:F0} s)";
}

/// <summary>
/// The soak's fault schedule, a pure function of its seed: a random fault every 15-40 s, each of the four kinds equally
/// likely, on a random silo. Printed with its seed, so a failing soak can be replayed (THRESHER_SOAK_SEED).
/// </summary>
public sealed class ChaosSchedule(int seed, int silos)
{
    public const int StopSeconds = 20;
    public const int RedisPauseSeconds = 10;
    static readonly TimeSpan MinGap = TimeSpan.FromSeconds(15), MaxGap = TimeSpan.FromSeconds(40);

    readonly Random _random = new(seed);
    int _number;

    public int Seed => seed;

    public ChaosEvent Next()
    {
        var after = MinGap + TimeSpan.FromSeconds(_random.NextDouble() * (MaxGap - MinGap).TotalSeconds);
        var fault = (ChaosFault)_random.Next(4);
        return new ChaosEvent(++_number, fault, _random.Next(silos), after);
    }
}
