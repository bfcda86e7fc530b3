namespace Thresher.Core.Training;

/// <summary>What a step does when the aggregated gradient's global norm is NaN or ±∞.</summary>
public enum NonFinitePolicy
{
    /// <summary>Keep θ and optimizer state, count and report the step as skipped, go on (default).</summary>
    Skip,

    /// <summary>Fail the run with a clear reason.</summary>
    Abort,
}

public static class NonFinitePolicies
{
    public static NonFinitePolicy Parse(string text) => text?.ToLowerInvariant() switch
    {
        "skip" => NonFinitePolicy.Skip,
        "abort" => NonFinitePolicy.Abort,
        _ => throw new ThresherInputException($"nonfinite '{text}': unknown policy; expected skip or abort"),
    };

    /// <summary>The name <see cref="Parse"/> reads back: skip or abort.</summary>
    public static string Name(this NonFinitePolicy policy) => policy == NonFinitePolicy.Abort ? "abort" : "skip";
}

/// <summary>Thrown by <see cref="UpdateRule"/> under <see cref="NonFinitePolicy.Abort"/>.</summary>
public sealed class NonFiniteGradientException : Exception
{
    public NonFiniteGradientException() { }
    public NonFiniteGradientException(string message) : base(message) { }
    public NonFiniteGradientException(string message, Exception inner) : base(message, inner) { }
}
