using System.Diagnostics.CodeAnalysis;

namespace Thresher.Core.Kernels;

/// <summary>
/// Argument checks shared by the public kernel entries. Each check runs once per call, before any loop;
/// the throwing paths live in small <see cref="DoesNotReturnAttribute"/> methods so the checks inline cheaply.
/// </summary>
internal static class KernelThrow
{
    /// <summary>Throws unless every dimension is ≥ 0 and threads ≥ 1.</summary>
    public static void CheckShape(string kernel, int m, int k, int n, int threads)
    {
        if ((m | k | n) < 0) ThrowNegativeShape(kernel, m, k, n);
        if (threads < 1) ThrowThreads(kernel, threads);
    }

    /// <summary>Throws unless the span named <paramref name="name"/> holds at least rows·cols floats.</summary>
    public static void CheckLength(string kernel, string name, int length, int rows, int cols, string shape)
    {
        if (length < (long)rows * cols) ThrowLength(kernel, name, length, rows, cols, shape);
    }

    /// <summary>Throws unless a 1-D span holds at least <paramref name="needed"/> elements.</summary>
    public static void CheckLength(string kernel, string name, int length, int needed)
    {
        if (length < needed) ThrowLength1(kernel, name, length, needed);
    }

    [DoesNotReturn]
    private static void ThrowNegativeShape(string kernel, int m, int k, int n) =>
        throw new ArgumentOutOfRangeException(nameof(m),
            $"{kernel}: shape m={m}, k={k}, n={n} has a negative dimension; every dimension must be ≥ 0.");

    [DoesNotReturn]
    private static void ThrowThreads(string kernel, int threads) =>
        throw new ArgumentOutOfRangeException(nameof(threads),
            $"{kernel}: threads={threads} is invalid; use threads ≥ 1 (1 runs on the calling thread only).");

    [DoesNotReturn]
    private static void ThrowLength(string kernel, string name, int length, int rows, int cols, string shape) =>
        throw new ArgumentException(
            $"{kernel}: {name} has {length} elements but shape {shape} = [{rows},{cols}] needs {(long)rows * cols}.", name);

    [DoesNotReturn]
    private static void ThrowLength1(string kernel, string name, int length, int needed) =>
        throw new ArgumentException($"{kernel}: {name} has {length} elements but needs at least {needed}.", name);

    [DoesNotReturn]
    public static void ThrowLabel(string kernel, int row, int label, int n) =>
        throw new ArgumentOutOfRangeException("labels",
            $"{kernel}: labels[{row}] = {label} is not a class index for n={n} classes (expected 0..{n - 1}).");

    /// <summary>Throws unless m ≥ 0 and n ≥ 0.</summary>
    public static void CheckShape(string kernel, int m, int n)
    {
        if ((m | n) < 0) ThrowNegativeShape2(kernel, m, n);
    }

    [DoesNotReturn]
    private static void ThrowNegativeShape2(string kernel, int m, int n) =>
        throw new ArgumentOutOfRangeException(nameof(m),
            $"{kernel}: shape m={m}, n={n} has a negative dimension; every dimension must be ≥ 0.");
}
