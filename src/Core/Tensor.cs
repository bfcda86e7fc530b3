using System.Diagnostics.CodeAnalysis;

namespace Thresher.Core;

/// <summary>
/// A dense, row-major float32 tensor: a flat <see cref="Data"/> buffer and its <see cref="Shape"/>.
/// Invariant: every dimension is ≥ 0 and the product of the dimensions equals <c>Data.Length</c>
/// (a rank-0 tensor, shape <c>[]</c>, holds one value).
/// </summary>
public sealed class Tensor
{
    private readonly int[] _shape;

    /// <summary>Wraps <paramref name="data"/> without copying; the shape is copied.</summary>
    /// <exception cref="ArgumentException">A dimension is negative or the shape does not match the data length.</exception>
    public Tensor(float[] data, params int[] shape)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(shape);
        if (ElementCount(shape) != data.Length) ThrowShapeMismatch(shape, data.Length);
        Data = data;
        _shape = (int[])shape.Clone();
    }

    /// <summary>The values, row-major (last dimension fastest). Owned by this tensor; mutate with care.</summary>
    public float[] Data { get; }

    /// <summary>The dimensions, outermost first. A private copy: treat it as read-only.</summary>
    public int[] Shape => _shape;

    /// <summary>Number of values (product of <see cref="Shape"/>).</summary>
    public int Length => Data.Length;

    /// <summary>Number of dimensions.</summary>
    public int Rank => _shape.Length;

    /// <summary>A tensor holding a copy of <paramref name="values"/> in the given shape.</summary>
    public static Tensor FromArray(ReadOnlySpan<float> values, params int[] shape) => new(values.ToArray(), shape);

    /// <summary>A rank-1 tensor holding a copy of <paramref name="values"/>.</summary>
    public static Tensor FromArray(params float[] values)
    {
        ArgumentNullException.ThrowIfNull(values);
        return new((float[])values.Clone(), values.Length);
    }

    /// <summary>A zero-filled tensor of the given shape.</summary>
    public static Tensor Zeros(params int[] shape)
    {
        ArgumentNullException.ThrowIfNull(shape);
        long count = ElementCount(shape);
        if (count > Array.MaxLength) ThrowShapeMismatch(shape, Array.MaxLength);
        return new(new float[count], shape);
    }

    /// <summary>A tensor with a copy of the data and the same shape.</summary>
    public Tensor Clone() => new((float[])Data.Clone(), _shape);

    /// <summary>The shape as <c>[d0,d1,...]</c>, as used in error messages.</summary>
    public static string FormatShape(ReadOnlySpan<int> shape) => "[" + string.Join(",", shape.ToArray()) + "]";

    public override string ToString() => $"Tensor{FormatShape(_shape)}";

    // Product of the dims, clamped to Array.MaxLength + 1 (so it never overflows a long); rejects negative dims.
    private static long ElementCount(int[] shape)
    {
        long product = 1;
        foreach (int dim in shape)
        {
            if (dim < 0) ThrowNegativeDimension(shape);
            product = Math.Min(product * dim, (long)Array.MaxLength + 1);
        }
        return product;
    }

    [DoesNotReturn]
    private static void ThrowNegativeDimension(int[] shape) =>
        throw new ArgumentException($"Tensor shape {FormatShape(shape)} has a negative dimension.", nameof(shape));

    [DoesNotReturn]
    private static void ThrowShapeMismatch(int[] shape, int length) =>
        throw new ArgumentException(
            $"Tensor shape {FormatShape(shape)} does not match the data length {length}: the product of the dimensions must equal the length.",
            nameof(shape));
}
