using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Thresher.Core.Kernels;

/// <summary>SGD update kernel; momentum is a parameter (0 = plain SGD, velocity unused and may be empty).</summary>
public static class Sgd
{
    /// <summary>
    /// v = momentum·v + scale·g; θ −= lr·v. With momentum 0: θ −= lr·(scale·g) and velocity is not touched.
    /// scale folds clip_by_global_norm's factor into the update. θ, g (and v) have the same length.
    /// </summary>
    public static void Update(Span<float> theta, ReadOnlySpan<float> grad, Span<float> velocity, float lr, float momentum, float scale)
        => Update(theta, grad, velocity, lr, momentum, scale, VectorWidths.Best);

    /// <summary><see cref="Update(Span{float}, ReadOnlySpan{float}, Span{float}, float, float, float)"/> with its widest vector forced (tests run each branch).</summary>
    internal static void Update(Span<float> theta, ReadOnlySpan<float> grad, Span<float> velocity, float lr, float momentum, float scale, VectorWidth width)
    {
        const string Name = nameof(Sgd) + "." + nameof(Update);
        KernelThrow.CheckLength(Name, nameof(grad), grad.Length, theta.Length);
        if (momentum != 0f) KernelThrow.CheckLength(Name, nameof(velocity), velocity.Length, theta.Length);
        ref float t = ref MemoryMarshal.GetReference(theta);
        ref float g = ref MemoryMarshal.GetReference(grad);
        nuint len = (nuint)theta.Length, i = 0;
        if (momentum == 0f)
        {
            if (width >= VectorWidth.Vector512)
                for (; i + 16 <= len; i += 16)
                    (Vector512.LoadUnsafe(ref t, i) - lr * (scale * Vector512.LoadUnsafe(ref g, i))).StoreUnsafe(ref t, i);
            else if (width >= VectorWidth.Vector256)
                for (; i + 8 <= len; i += 8)
                    (Vector256.LoadUnsafe(ref t, i) - lr * (scale * Vector256.LoadUnsafe(ref g, i))).StoreUnsafe(ref t, i);
            for (; i < len; i++) theta[(int)i] -= lr * (scale * grad[(int)i]);
            return;
        }
        ref float v = ref MemoryMarshal.GetReference(velocity);
        if (width >= VectorWidth.Vector512)
            for (; i + 16 <= len; i += 16)
            {
                var vi = momentum * Vector512.LoadUnsafe(ref v, i) + scale * Vector512.LoadUnsafe(ref g, i);
                vi.StoreUnsafe(ref v, i);
                (Vector512.LoadUnsafe(ref t, i) - lr * vi).StoreUnsafe(ref t, i);
            }
        else if (width >= VectorWidth.Vector256)
            for (; i + 8 <= len; i += 8)
            {
                var vi = momentum * Vector256.LoadUnsafe(ref v, i) + scale * Vector256.LoadUnsafe(ref g, i);
                vi.StoreUnsafe(ref v, i);
                (Vector256.LoadUnsafe(ref t, i) - lr * vi).StoreUnsafe(ref t, i);
            }
        for (; i < len; i++)
        {
            velocity[(int)i] = momentum * velocity[(int)i] + scale * grad[(int)i];
            theta[(int)i] -= lr * velocity[(int)i];
        }
    }
}
