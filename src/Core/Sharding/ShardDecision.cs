namespace Thresher.Core.Sharding;

/// <summary>
/// What the coordinator sends every shard once it has decided a step: apply it at <paramref name="LearningRate"/>
/// (the schedule's rate for the step, computed once) with clip scale <paramref name="Scale"/>, or with
/// <paramref name="TensorScales"/> (per-tensor policy: one per tensor of the whole layout; a shard uses its own).
/// AGC shards ignore the scale (their own unit-wise pass clips). A step that is not applied sends nothing.
/// </summary>
public sealed record ShardDecision(long Step, double LearningRate, float Scale, float[]? TensorScales);
