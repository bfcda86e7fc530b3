namespace Thresher.Core.Tests.Ops;

public class TensorTests
{
    [Fact]
    public void Constructor_wraps_data_and_reports_shape()
    {
        var data = new float[] { 1, 2, 3, 4, 5, 6 };
        var t = new Tensor(data, 2, 3);
        Assert.Same(data, t.Data);
        Assert.Equal([2, 3], t.Shape);
        Assert.Equal(6, t.Length);
        Assert.Equal(2, t.Rank);
    }

    [Fact]
    public void Rank0_holds_one_value_and_zero_dims_hold_none()
    {
        Assert.Equal(0, new Tensor([7f]).Rank);
        Assert.Equal(0, new Tensor([], 3, 0).Length);
        Assert.Equal(0, Tensor.Zeros(0, 5).Length);
    }

    [Fact]
    public void FromArray_copies()
    {
        var values = new float[] { 1, 2 };
        Tensor t = Tensor.FromArray(values);
        values[0] = 9;
        Assert.Equal([1f, 2f], t.Data);
        Assert.Equal([2], t.Shape);
        Assert.Equal([2, 1], Tensor.FromArray(values.AsSpan(), 2, 1).Shape);
    }

    [Fact]
    public void Shape_is_copied_from_the_caller()
    {
        int[] shape = [2, 2];
        var t = new Tensor(new float[4], shape);
        shape[0] = 4;
        Assert.Equal([2, 2], t.Shape);
    }

    [Fact]
    public void Mismatched_shape_is_rejected_with_the_shape_and_length()
    {
        var e = Assert.Throws<ArgumentException>(() => new Tensor(new float[5], 2, 3));
        Assert.Contains("[2,3]", e.Message, StringComparison.Ordinal);
        Assert.Contains("5", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Negative_dimension_is_rejected()
    {
        var e = Assert.Throws<ArgumentException>(() => new Tensor([], -1, 0));
        Assert.Contains("[-1,0]", e.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => Tensor.Zeros(2, -3));
    }

    [Fact]
    public void Huge_shape_product_does_not_overflow_into_a_match()
    {
        // 65536 × 65536 = 2^32 wraps to 0 in int arithmetic; must not match an empty array.
        Assert.Throws<ArgumentException>(() => new Tensor([], 65536, 65536, 1));
        Assert.Equal(0, new Tensor([], 65536, 65536, 0).Length);
        Assert.Throws<ArgumentException>(() => Tensor.Zeros(65536, 65536));
    }
}
