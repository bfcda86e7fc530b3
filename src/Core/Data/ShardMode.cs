namespace Thresher.Core.Data;

/// <summary>How the training set is divided between workers.</summary>
public enum ShardMode
{
    /// <summary>
    /// One global order per epoch; each step's global batch is split into W contiguous parts. The samples
    /// a step trains on, and their order, do not depend on W.
    /// </summary>
    Batch,
    /// <summary>
    /// Each worker owns a fixed shard and draws its local batches from it (data-local). The trajectory
    /// depends on W.
    /// </summary>
    Fixed,
}

/// <summary>How <see cref="ShardMode.Fixed"/> shards are cut.</summary>
public enum ShardLayout
{
    /// <summary>Shard w is a contiguous range of the file order.</summary>
    Contiguous,
    /// <summary>
    /// Non-IID for experiments: samples are stably sorted by label, then cut into contiguous ranges, so
    /// each worker sees only one or a few classes.
    /// </summary>
    LabelSkewed,
}
