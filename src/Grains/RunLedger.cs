using Thresher.Abstractions;
using Thresher.Core.Telemetry;

namespace Thresher.Grains;

/// <summary>
/// What a run grain knows about its run, without Orleans: config, state, the step history, the counters derived
/// from it (clipped, skipped, alerts, silos, test accuracy), resumes, wall time, and the explosion detector the
/// norms are fed to. <see cref="RunGrain"/> owns one and decides when things happen; this class only keeps the
/// books and builds <see cref="RunStatus"/>. Invariant: the counters and the detector are always a function of
/// the history, so after a resume drops steps (<see cref="Rewind"/>) they are rebuilt from the kept steps
/// rather than adjusted. Not thread-safe: a grain's turns are one at a time.
/// </summary>
sealed class RunLedger(TimeProvider? clock = null)
{
    readonly TimeProvider _clock = clock ?? TimeProvider.System;
    readonly List<StepRecord> _history = [];
    readonly HashSet<string> _silos = [];
    readonly SortedSet<string> _suspectSilos = new(StringComparer.Ordinal);
    readonly SortedSet<long> _skipBatches = [];
    readonly SortedSet<string> _avoidedSilos = new(StringComparer.Ordinal);
    string? _placement; // the latest move of workers (or why none was possible)
    ExplosionDetector? _detector;
    int _skipped, _clipped, _alertCount, _spikes, _rewinds;
    GradientAlert? _lastAlert;
    double? _testAccuracy;
    AccuracyMilestone? _reached97, _reached98; // the first evaluations at ≥ 97 % and ≥ 98 % test accuracy
    CommunicationBytes _bytes = CommunicationBytes.Zero; // summed over the recorded steps that measured them (_bytesSteps)
    long _bytesSteps;
    readonly Core.Async.StalenessHistogram _staleness = new(); // --sync ssp: the recorded steps' pushes by staleness
    long _startTimestamp;   // 0 until this activation's clock runs (see StartClock)
    double _wallBefore;     // wall seconds of earlier activations of this run

    public RunConfig? Config { get; private set; }
    public RunState State { get; private set; } = RunState.Pending;
    public string? Error { get; private set; }
    public long TotalSteps { get; private set; }
    public int StepsPerEpoch { get; private set; }
    public DateTimeOffset? StartedAt { get; private set; }
    public double WallSeconds { get; private set; }
    public int Resumes { get; private set; }
    public long? LastResumeStep { get; private set; }
    public string? LastResumeWarning { get; private set; }

    /// <summary>Steps recorded; the next step's index.</summary>
    public int StepsDone => _history.Count;

    public IReadOnlyList<StepRecord> History => _history;

    /// <summary>A new run: running from now, its detector fresh.</summary>
    public void Begin(RunConfig config, int stepsPerEpoch, long totalSteps)
    {
        Config = config;
        StepsPerEpoch = stepsPerEpoch;
        TotalSteps = totalSteps;
        State = RunState.Running;
        StartedAt = _clock.GetUtcNow();
        _detector = NewDetector(config);
        StartClock();
    }

    /// <summary>A run known from storage, before its history is replayed (<see cref="Replay"/>); the clock is not running.</summary>
    public void Restore(RunRecord stored)
    {
        ArgumentNullException.ThrowIfNull(stored.Config);
        Config = stored.Config;
        State = stored.State;
        Error = stored.Error;
        TotalSteps = stored.TotalSteps;
        StepsPerEpoch = stored.StepsPerEpoch;
        StartedAt = stored.StartedAt;
        _wallBefore = WallSeconds = stored.WallSeconds;
        Resumes = stored.Resumes;
        LastResumeStep = stored.LastResumeStep;
        LastResumeWarning = stored.LastResumeWarning;
        _detector = NewDetector(Config);
    }

    /// <summary>A fresh detector for the run, naming its tensors in alerts.</summary>
    static ExplosionDetector NewDetector(RunConfig config)
        => new(config.ToDetectorOptions(), new Thresher.Core.Model.ParameterLayout(new Thresher.Core.Model.MlpConfig(config.Layers)).Names.ToArray());

    /// <summary>Copies everything but the history count into the stored record (the count goes in once the pages are stored).</summary>
    public void WriteTo(RunRecord stored)
    {
        stored.Config = Config;
        stored.State = State;
        stored.Error = Error;
        stored.TotalSteps = TotalSteps;
        stored.StepsPerEpoch = StepsPerEpoch;
        stored.StartedAt = StartedAt;
        stored.WallSeconds = WallSeconds;
        stored.Resumes = Resumes;
        stored.LastResumeStep = LastResumeStep;
        stored.LastResumeWarning = LastResumeWarning;
    }

    /// <summary>Wall time counts from now for this activation, on top of what earlier activations ran.</summary>
    public void StartClock() => _startTimestamp = _clock.GetTimestamp();

    /// <summary>Replaces the history with <paramref name="records"/>; counters and detector are rebuilt from them.</summary>
    public void Replay(IEnumerable<StepRecord> records)
    {
        var kept = records.ToList(); // may be a view of _history
        _history.Clear();
        (_skipped, _clipped, _alertCount, _lastAlert, _testAccuracy, _spikes, _rewinds, _reached97, _reached98) = (0, 0, 0, null, null, 0, 0, null, null);
        (_bytes, _bytesSteps) = (CommunicationBytes.Zero, 0);
        _staleness.Clear();
        _silos.Clear();
        _suspectSilos.Clear();
        _skipBatches.Clear();
        _avoidedSilos.Clear();
        _placement = null;
        _detector = Config is null ? null : NewDetector(Config);
        foreach (var r in kept)
        {
            _detector?.Observe(r.Step, r.GlobalNorm, r.TensorNorms, r.WorkerNorms);
            Record(r);
        }
    }

    /// <summary>Feeds a new step's norm to the detector and records the step, with the alert it raised if any; returns what was recorded.</summary>
    public StepRecord Add(StepRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        if (record.RewindTo is long to) // a rewind: the steps from `to` are undone and re-run; the next record carries the event
        {
            Replay(_history.GetRange(0, (int)Math.Min(to, _history.Count)));
            return record;
        }
        if (record.Verdict is "data" or "fault" && record.Spike is { } spike)
            record = record with { Alerts = [.. record.Alerts, new GradientAlert(record.Step, record.Verdict, record.GlobalNorm, double.NaN, spike)] };
        if (record.Event is { } happened)
            record = record with { Alerts = [.. record.Alerts, new GradientAlert(record.Step, "rewind", double.NaN, double.NaN, happened)] };
        if (record.Placement is { } placed)
            record = record with { Alerts = [.. record.Alerts, new GradientAlert(record.Step, "moved", double.NaN, double.NaN, placed)] };
        if (_detector?.Observe(record.Step, record.GlobalNorm, record.TensorNorms, record.WorkerNorms) is { } alert)
            record = record with { Alerts = [new GradientAlert(alert.Step, alert.ReasonName, alert.Value, alert.Baseline, alert.Detail), .. record.Alerts] };
        UpdateWall();
        record = record with { WallSeconds = WallSeconds };
        Record(record);
        return record;
    }

    /// <summary>A resume goes on from step <paramref name="from"/>: the steps after it are dropped (they are re-run).</summary>
    public void Rewind(long from)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(from, _history.Count);
        Resumes++;
        LastResumeStep = from;
        Replay(_history.GetRange(0, (int)from));
    }

    /// <summary>The latest resume passed over these checkpoints (damaged, unreadable), for the status.</summary>
    public void PassedOverCheckpoints(string warning) => LastResumeWarning = warning;

    /// <summary>Completed, failed or cancelled: the state and error are set and the wall time taken.</summary>
    public void Finish(RunState state, string? error)
    {
        State = state;
        Error = error;
        UpdateWall();
    }

    /// <summary>Steps with index ≥ <paramref name="fromStep"/>, at most <paramref name="max"/>.</summary>
    public StepRecord[] Slice(long fromStep, int max)
    {
        int from = (int)Math.Clamp(fromStep, 0, _history.Count);
        int count = Math.Clamp(max, 0, _history.Count - from);
        return _history.GetRange(from, count).ToArray();
    }

    public RunStatus Status(string runId)
    {
        var last = _history.Count > 0 ? _history[^1] : null;
        long samples = (long)_history.Count * (Config?.Batch ?? 0);
        return new RunStatus
        {
            RunId = runId,
            State = State,
            Config = Config,
            Step = _history.Count,
            TotalSteps = TotalSteps,
            StepsPerEpoch = StepsPerEpoch,
            LastLoss = last?.Loss,
            LastGlobalNorm = last?.GlobalNorm,
            TestAccuracy = _testAccuracy,
            SkippedSteps = _skipped,
            ClippedSteps = _clipped,
            Error = Error,
            StartedAt = StartedAt,
            WallSeconds = WallSeconds,
            SamplesPerSecond = WallSeconds > 0 ? samples / WallSeconds : 0,
            Silos = [.. _silos.Order(StringComparer.Ordinal)],
            AlertCount = _alertCount,
            LastAlert = _lastAlert,
            Resumes = Resumes,
            LastResumeStep = LastResumeStep,
            LastResumeWarning = LastResumeWarning,
            Spikes = _spikes,
            Rewinds = _rewinds,
            SuspectSilos = [.. _suspectSilos],
            SkipBatches = [.. _skipBatches],
            AvoidedSilos = [.. _avoidedSilos],
            Placement = _placement,
            Reached97 = _reached97,
            Reached98 = _reached98,
            BytesPerStep = _bytesSteps > 0 ? _bytes.PerStep(_bytesSteps) : null,
            StalenessHistogram = _staleness.Total > 0 ? _staleness.Counts : null,
        };
    }

    void Record(StepRecord record)
    {
        _history.Add(record);
        if (record.Skipped) _skipped++;
        if (record.Clipped) _clipped++;
        if (record.Spike is not null) _spikes++;
        if (record.Event is not null) _rewinds++;
        if (record.Verdict == "data") _skipBatches.Add(record.BatchId);
        if (record.Verdict == "fault" && record.Culprit is int c && c < record.WorkerSilos.Length) _suspectSilos.Add(record.WorkerSilos[c]);
        if (record.MovedOffSilo is { } movedOff) _avoidedSilos.Add(movedOff);
        _placement = record.Placement ?? _placement;
        if (record.TestAccuracy is double accuracy)
        {
            _testAccuracy = accuracy;
            if (accuracy >= 0.97) _reached97 ??= new AccuracyMilestone(record.Step, record.WallSeconds);
            if (accuracy >= 0.98) _reached98 ??= new AccuracyMilestone(record.Step, record.WallSeconds);
        }
        _alertCount += record.Alerts.Length;
        if (record.Bytes is { } bytes) (_bytes, _bytesSteps) = (_bytes + bytes, _bytesSteps + 1);
        if (record.Staleness is { } staleness) _staleness.AddRange(staleness);
        if (record.Alerts.Length > 0) _lastAlert = record.Alerts[^1];
        foreach (var silo in record.WorkerSilos) _silos.Add(silo);
        UpdateWall();
    }

    void UpdateWall()
    {
        if (_startTimestamp != 0) WallSeconds = _wallBefore + _clock.GetElapsedTime(_startTimestamp).TotalSeconds;
    }
}
