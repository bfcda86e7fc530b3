namespace Thresher.Core.Data;

/// <summary>
/// Which training samples each worker trains on at each step: a pure function of the step, so the only
/// state to checkpoint is the step number. N = trainCount, B = globalBatch, W = workers.
///
/// Batch mode (default): epoch e's order is a permutation of 0..N-1 — Fisher–Yates with a SplitMix64
/// seeded SplitMix64.Derive(seed, e, 0), or file order when shuffle is off. Step s of the epoch takes
/// order positions [s*B, (s+1)*B), split into W contiguous parts whose sizes differ by at most one (the
/// first B mod W workers get one more). StepsPerEpoch = floor(N / B): the last N mod B samples of each
/// epoch's order are dropped (with shuffling, different ones every epoch).
///
/// Fixed mode: the (optionally label-sorted) file order is cut into W contiguous shards (sizes differ by
/// at most one, earlier shards larger). Worker w's local batch size n_w is B split as in batch mode; in
/// epoch e it walks its shard in the order of a permutation seeded SplitMix64.Derive(seed, e, 1 + w)
/// (shard order without shuffle). StepsPerEpoch = min over w of floor(shard_w / n_w); each worker's tail
/// beyond that is dropped for the epoch.
///
/// Thread-safe: permutations are computed once per (epoch, stream) and a few recent ones are kept.
/// </summary>
public sealed class BatchSchedule
{
    readonly int[] _identity;           // (N) 0..N-1
    readonly int[] _fileOrder;          // (N) _identity, or label-sorted for LabelSkewed
    readonly int[] _shardStart;         // (W+1) fixed-mode shard boundaries in _fileOrder
    readonly int[] _partStart;          // (W+1) boundaries of the worker parts within a global batch
    readonly Dictionary<(int Epoch, int Stream), int[]> _orders = [];
    readonly Lock _ordersLock = new();

    public BatchSchedule(int trainCount, int globalBatch, int workers, ulong seed, bool shuffle,
        ShardMode mode = ShardMode.Batch, ShardLayout layout = ShardLayout.Contiguous, ReadOnlyMemory<byte> labels = default)
    {
        if (trainCount < 1)
            throw new ThresherInputException($"training set has {trainCount} samples — it needs at least one");
        if (globalBatch < 1 || globalBatch > trainCount)
            throw new ThresherInputException($"batch size {globalBatch} is out of range — use 1..{trainCount} (the training set's size)");
        if (workers < 1 || workers > globalBatch)
            throw new ThresherInputException($"{workers} workers cannot share a batch of {globalBatch} — use 1..{globalBatch} workers so each gets at least one sample per step");
        if (!Enum.IsDefined(mode)) throw new ArgumentOutOfRangeException(nameof(mode), mode, "unknown shard mode");
        if (!Enum.IsDefined(layout)) throw new ArgumentOutOfRangeException(nameof(layout), layout, "unknown shard layout");
        if (mode == ShardMode.Fixed && layout == ShardLayout.LabelSkewed && labels.Length != trainCount)
            throw new ArgumentException($"label-skewed shards need the {trainCount} training labels, got {labels.Length}", nameof(labels));
        TrainCount = trainCount;
        GlobalBatch = globalBatch;
        Workers = workers;
        Seed = seed;
        Shuffle = shuffle;
        Mode = mode;
        Layout = mode == ShardMode.Fixed ? layout : ShardLayout.Contiguous;
        _partStart = Split(globalBatch, workers);
        _shardStart = Split(trainCount, workers);
        _identity = Permutation.Identity(trainCount);
        _fileOrder = Layout == ShardLayout.LabelSkewed ? SortByLabel(labels.Span) : _identity;
        StepsPerEpoch = mode == ShardMode.Batch ? trainCount / globalBatch : FixedStepsPerEpoch();
    }

    public int TrainCount { get; }
    /// <summary>B: samples per step over all workers.</summary>
    public int GlobalBatch { get; }
    public int Workers { get; }
    public ulong Seed { get; }
    public bool Shuffle { get; }
    public ShardMode Mode { get; }
    public ShardLayout Layout { get; }
    /// <summary>Steps in one epoch; partial batches are dropped (see the class summary).</summary>
    public int StepsPerEpoch { get; }
    /// <summary>Samples not visited in each epoch because of the dropped partial batch.</summary>
    public int DroppedPerEpoch => TrainCount - StepsPerEpoch * GlobalBatch;

    /// <summary>The epoch (from 0) that step <paramref name="step"/> (from 0) belongs to.</summary>
    public int EpochOf(long step)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(step);
        long epoch = step / StepsPerEpoch;
        if (epoch > int.MaxValue) throw new ArgumentOutOfRangeException(nameof(step), step, "step lies beyond epoch 2^31-1");
        return (int)epoch;
    }

    /// <summary>n_w: how many samples worker <paramref name="worker"/> gets per step.</summary>
    public int WorkerBatchSize(int worker)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(worker);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(worker, Workers);
        return _partStart[worker + 1] - _partStart[worker];
    }

    /// <summary>The sample indices of worker <paramref name="worker"/>'s part of step <paramref name="step"/>.</summary>
    public int[] WorkerIndices(long step, int worker)
    {
        var result = new int[WorkerBatchSize(worker)];
        WorkerIndices(step, worker, result);
        return result;
    }

    /// <summary>Writes worker <paramref name="worker"/>'s sample indices for the step; returns how many (n_w).</summary>
    public int WorkerIndices(long step, int worker, Span<int> destination)
    {
        int n = WorkerBatchSize(worker);
        if (destination.Length < n)
            throw new ArgumentException($"destination holds {destination.Length} indices, worker {worker} needs {n}", nameof(destination));
        int epoch = EpochOf(step);
        int inEpoch = (int)(step - (long)epoch * StepsPerEpoch);
        if (Mode == ShardMode.Batch)
        {
            Order(epoch, 0, TrainCount).AsSpan(inEpoch * GlobalBatch + _partStart[worker], n).CopyTo(destination);
            return n;
        }
        int shardStart = _shardStart[worker];
        int[] local = Order(epoch, 1 + worker, _shardStart[worker + 1] - shardStart);
        for (int i = 0, p = inEpoch * n; i < n; i++, p++)
            destination[i] = _fileOrder[shardStart + local[p]];
        return n;
    }

    /// <summary>The whole step's batch: worker parts 0..W-1 concatenated (the single-process trainer's batch).</summary>
    public int[] GlobalBatchIndices(long step)
    {
        var result = new int[GlobalBatch];
        GlobalBatchIndices(step, result);
        return result;
    }

    /// <summary>Writes the step's B indices; returns B.</summary>
    public int GlobalBatchIndices(long step, Span<int> destination)
    {
        if (destination.Length < GlobalBatch)
            throw new ArgumentException($"destination holds {destination.Length} indices, a step needs {GlobalBatch}", nameof(destination));
        for (int w = 0; w < Workers; w++)
            WorkerIndices(step, w, destination[_partStart[w].._partStart[w + 1]]);
        return GlobalBatch;
    }

    /// <summary>The samples worker <paramref name="worker"/> owns in fixed mode, in shard order.</summary>
    public int[] ShardIndices(int worker)
    {
        if (Mode != ShardMode.Fixed) throw new InvalidOperationException("shards exist only in fixed mode; in batch mode every worker sees the whole set");
        ArgumentOutOfRangeException.ThrowIfNegative(worker);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(worker, Workers);
        return _fileOrder[_shardStart[worker].._shardStart[worker + 1]];
    }

    int FixedStepsPerEpoch()
    {
        int steps = int.MaxValue;
        for (int w = 0; w < Workers; w++)
            steps = Math.Min(steps, (_shardStart[w + 1] - _shardStart[w]) / WorkerBatchSize(w));
        return steps; // >= 1 because B <= N (earlier workers get the extra sample in both splits)
    }

    /// <summary>Order of 0..n-1 for (epoch, stream): shuffled, or identity when shuffle is off.</summary>
    int[] Order(int epoch, int stream, int n)
    {
        if (!Shuffle) return _identity; // its first n entries are 0..n-1
        lock (_ordersLock)
        {
            if (_orders.TryGetValue((epoch, stream), out var cached)) return cached;
        }
        int[] order = Permutation.Create(n, SplitMix64.Derive(Seed, epoch, stream));
        lock (_ordersLock)
        {
            // Keep the orders of the latest two epochs seen: steps straddle at most one epoch boundary.
            foreach (var key in _orders.Keys.Where(k => k.Epoch < epoch - 1).ToList()) _orders.Remove(key);
            _orders.TryAdd((epoch, stream), order);
            return _orders[(epoch, stream)];
        }
    }

    /// <summary>Boundaries of total split into parts (sizes differ by at most one, earlier parts larger).</summary>
    static int[] Split(int total, int parts)
    {
        var start = new int[parts + 1];
        int size = total / parts, extra = total % parts;
        for (int p = 0; p < parts; p++) start[p + 1] = start[p] + size + (p < extra ? 1 : 0);
        return start;
    }

    /// <summary>0..N-1 stably sorted by label (a counting sort).</summary>
    static int[] SortByLabel(ReadOnlySpan<byte> labels)
    {
        var next = new int[257];
        foreach (byte label in labels) next[label + 1]++;
        for (int c = 1; c < next.Length; c++) next[c] += next[c - 1];
        var order = new int[labels.Length];
        for (int i = 0; i < labels.Length; i++) order[next[labels[i]]++] = i;
        return order;
    }
}
