using System.Text.Json;
using System.Text.Json.Serialization;
using Thresher.Abstractions;

namespace Thresher.Client.Output;

/// <summary>The machine-readable end of a run (--summary-json).</summary>
public sealed record RunSummary(
    [property: JsonPropertyName("run_id")] string RunId,
    [property: JsonPropertyName("state")] string State,
    [property: JsonPropertyName("steps")] long Steps,
    [property: JsonPropertyName("epochs")] double Epochs,
    [property: JsonPropertyName("workers")] int Workers,
    [property: JsonPropertyName("test_accuracy")] double? TestAccuracy,
    [property: JsonPropertyName("final_loss")] double? FinalLoss,
    [property: JsonPropertyName("skipped_steps")] int SkippedSteps,
    [property: JsonPropertyName("clipped_steps")] int ClippedSteps,
    [property: JsonPropertyName("wall_seconds")] double WallSeconds,
    [property: JsonPropertyName("samples_per_second")] double SamplesPerSecond,
    [property: JsonPropertyName("silos")] string[] Silos,
    [property: JsonPropertyName("error")] string? Error)
{
    /// <summary>Times the run resumed from its parameter server's checkpoint after a silo failure.</summary>
    [JsonPropertyName("resumes")] public int Resumes { get; init; }

    /// <summary>The checkpointed step the latest resume went on from.</summary>
    [JsonPropertyName("last_resume_step")] public long? LastResumeStep { get; init; }

    /// <summary>Checkpoints the latest resume passed over (damaged or unreadable) and why.</summary>
    [JsonPropertyName("last_resume_warning")] public string? LastResumeWarning { get; init; }

    /// <summary>The response ladder (--on-spike): none, skip, rewind or abort.</summary>
    [JsonPropertyName("on_spike")] public string OnSpike { get; init; } = "none";

    /// <summary>Steps the ladder judged spikes, and rewinds it made.</summary>
    [JsonPropertyName("spikes")] public int Spikes { get; init; }

    [JsonPropertyName("rewinds")] public int Rewinds { get; init; }

    /// <summary>Silos a replay found faulty, and the batches it found to be a spike's cause (the run's skip list).</summary>
    [JsonPropertyName("suspect_silos")] public string[] SuspectSilos { get; init; } = [];

    [JsonPropertyName("skip_batches")] public long[] SkipBatches { get; init; } = [];

    /// <summary>Silos the run's workers were moved off (--fault-limit), and the latest move or why none was possible.</summary>
    [JsonPropertyName("moved_off_silos")] public string[] MovedOffSilos { get; init; } = [];

    [JsonPropertyName("placement")] public string? Placement { get; init; }

    /// <summary>Faults injected on purpose (--inject), as given; empty when none — never silent.</summary>
    [JsonPropertyName("inject")] public string Inject { get; init; } = "";

    /// <summary>How the workers sent their gradients (--wire): fp32 or bf16.</summary>
    [JsonPropertyName("wire")] public string Wire { get; init; } = "fp32";
    /// <summary>The first evaluation at ≥ 97 % test accuracy: its step and the run's wall seconds then (null: never).</summary>
    [JsonPropertyName("time_to_97")] public Milestone? TimeTo97 { get; init; }

    /// <summary>The first evaluation at ≥ 98 % test accuracy (null: never).</summary>
    [JsonPropertyName("time_to_98")] public Milestone? TimeTo98 { get; init; }

    /// <summary>Payload bytes per step by role and direction (the mean over the run's steps; null when no step measured them).</summary>
    [JsonPropertyName("bytes_per_step")] public StepBytes? BytesPerStep { get; init; }

    /// <summary>
    /// <see cref="CommunicationBytes"/> by JSON name: workers' θ received and gradients sent (summed over workers), the
    /// parameter server's received and sent, and their parts to and from workers on other silos.
    /// </summary>
    public sealed record StepBytes(
        [property: JsonPropertyName("worker_received")] long WorkerReceived,
        [property: JsonPropertyName("worker_sent")] long WorkerSent,
        [property: JsonPropertyName("ps_received")] long ServerReceived,
        [property: JsonPropertyName("ps_sent")] long ServerSent,
        [property: JsonPropertyName("ps_remote_received")] long ServerRemoteReceived,
        [property: JsonPropertyName("ps_remote_sent")] long ServerRemoteSent);

    static StepBytes? Of(CommunicationBytes? b) => b is null ? null
        : new StepBytes(b.WorkerReceived, b.WorkerSent, b.ServerReceived, b.ServerSent, b.ServerRemoteReceived, b.ServerRemoteSent);

    /// <summary>A step and the run's wall seconds when it was recorded.</summary>
    public sealed record Milestone([property: JsonPropertyName("step")] long Step, [property: JsonPropertyName("wall_seconds")] double? WallSeconds);

    static Milestone? Of(AccuracyMilestone? m) => m is null ? null : new Milestone(m.Step, m.WallSeconds is double w ? Math.Round(w, 3) : null);

    static readonly JsonSerializerOptions Indented = new() { WriteIndented = true, NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals };

    public static RunSummary From(RunStatus status)
    {
        ArgumentNullException.ThrowIfNull(status);
        return new RunSummary(
            status.RunId,
            status.State.ToString().ToLowerInvariant(),
            status.Step,
            status.StepsPerEpoch > 0 ? Math.Round((double)status.Step / status.StepsPerEpoch, 4) : 0,
            status.Config?.Workers ?? 0,
            status.TestAccuracy,
            status.LastLoss,
            status.SkippedSteps,
            status.ClippedSteps,
            Math.Round(status.WallSeconds, 3),
            Math.Round(status.SamplesPerSecond, 1),
            status.Silos,
            status.Error)
        {
            Resumes = status.Resumes,
            LastResumeStep = status.LastResumeStep,
            LastResumeWarning = status.LastResumeWarning,
            OnSpike = status.Config?.OnSpike ?? "none",
            Spikes = status.Spikes,
            Rewinds = status.Rewinds,
            SuspectSilos = status.SuspectSilos,
            SkipBatches = status.SkipBatches,
            MovedOffSilos = status.AvoidedSilos,
            Placement = status.Placement,
            Inject = status.Config?.Inject ?? "",
            Wire = string.IsNullOrEmpty(status.Config?.Wire) ? "fp32" : status.Config.Wire,
            TimeTo97 = Of(status.Reached97),
            TimeTo98 = Of(status.Reached98),
            BytesPerStep = Of(status.BytesPerStep),
        };
    }

    public void Write(string path)
    {
        string full = Path.GetFullPath(path);
        if (Path.GetDirectoryName(full) is { } dir) Directory.CreateDirectory(dir);
        File.WriteAllText(full, JsonSerializer.Serialize(this, Indented) + Environment.NewLine);
    }
}
