using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace MerFactory.AuEngine.Clnf;

/// <summary>
/// The dot products of every neuron template with every image patch of a response window (a small matrix product,
/// templates × patchesᵀ), register-blocked: two templates against four patches at a time share each loaded vector,
/// eight accumulators stay in registers. Rows are padded with zeros to a whole number of SIMD vectors.
/// </summary>
internal static class TemplateCorrelation
{
    /// <summary>Row length of a padded template or patch of <paramref name="size"/> values.</summary>
    public static int Stride(int size) => (size + Vector<float>.Count - 1) / Vector<float>.Count * Vector<float>.Count;

    /// <summary>Copies templates of <paramref name="size"/> values into rows of <see cref="Stride"/>, zero-padded.</summary>
    public static float[] Pad(ReadOnlySpan<float> templates, int size)
    {
        if (size == 0) return [];
        var count = templates.Length / size;
        var stride = Stride(size);
        var padded = new float[count * stride];
        for (var n = 0; n < count; n++) templates.Slice(n * size, size).CopyTo(padded.AsSpan(n * stride, size));
        return padded;
    }

    /// <summary>dots[n·positions + p] = template n · patch p; both are rows of <paramref name="stride"/> floats.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Compute(ReadOnlySpan<float> templates, int templateCount, ReadOnlySpan<float> patches, int positions, int stride, Span<float> dots)
    {
        if (templates.Length < templateCount * stride || patches.Length < positions * stride || dots.Length < templateCount * positions || stride % Vector<float>.Count != 0)
            throw new ArgumentException("buffers too small for the templates, patches and stride");
        ref var t = ref MemoryMarshal.GetReference(templates);
        ref var x = ref MemoryMarshal.GetReference(patches);
        var width = Vector<float>.Count;
        var n = 0;
        for (; n + 1 < templateCount; n += 2)
        {
            ref var t0 = ref Unsafe.Add(ref t, n * stride);
            ref var t1 = ref Unsafe.Add(ref t, (n + 1) * stride);
            var p = 0;
            for (; p + 3 < positions; p += 4)
            {
                ref var x0 = ref Unsafe.Add(ref x, p * stride);
                ref var x1 = ref Unsafe.Add(ref x, (p + 1) * stride);
                ref var x2 = ref Unsafe.Add(ref x, (p + 2) * stride);
                ref var x3 = ref Unsafe.Add(ref x, (p + 3) * stride);
                Vector<float> a00 = default, a01 = default, a02 = default, a03 = default;
                Vector<float> a10 = default, a11 = default, a12 = default, a13 = default;
                for (var k = 0; k < stride; k += width)
                {
                    var w0 = Vector.LoadUnsafe(ref t0, (nuint)k);
                    var w1 = Vector.LoadUnsafe(ref t1, (nuint)k);
                    var v = Vector.LoadUnsafe(ref x0, (nuint)k);
                    a00 = Vector.FusedMultiplyAdd(w0, v, a00);
                    a10 = Vector.FusedMultiplyAdd(w1, v, a10);
                    v = Vector.LoadUnsafe(ref x1, (nuint)k);
                    a01 = Vector.FusedMultiplyAdd(w0, v, a01);
                    a11 = Vector.FusedMultiplyAdd(w1, v, a11);
                    v = Vector.LoadUnsafe(ref x2, (nuint)k);
                    a02 = Vector.FusedMultiplyAdd(w0, v, a02);
                    a12 = Vector.FusedMultiplyAdd(w1, v, a12);
                    v = Vector.LoadUnsafe(ref x3, (nuint)k);
                    a03 = Vector.FusedMultiplyAdd(w0, v, a03);
                    a13 = Vector.FusedMultiplyAdd(w1, v, a13);
                }
                var row0 = n * positions + p;
                var row1 = row0 + positions;
                dots[row0] = Vector.Sum(a00);
                dots[row0 + 1] = Vector.Sum(a01);
                dots[row0 + 2] = Vector.Sum(a02);
                dots[row0 + 3] = Vector.Sum(a03);
                dots[row1] = Vector.Sum(a10);
                dots[row1 + 1] = Vector.Sum(a11);
                dots[row1 + 2] = Vector.Sum(a12);
                dots[row1 + 3] = Vector.Sum(a13);
            }
            for (; p < positions; p++)
            {
                ref var xp = ref Unsafe.Add(ref x, p * stride);
                dots[n * positions + p] = Dot(ref t0, ref xp, stride);
                dots[(n + 1) * positions + p] = Dot(ref t1, ref xp, stride);
            }
        }
        for (; n < templateCount; n++)
        {
            ref var tn = ref Unsafe.Add(ref t, n * stride);
            for (var p = 0; p < positions; p++) dots[n * positions + p] = Dot(ref tn, ref Unsafe.Add(ref x, p * stride), stride);
        }
    }

    private static float Dot(ref float a, ref float b, int stride)
    {
        Vector<float> sum = default;
        for (var k = 0; k < stride; k += Vector<float>.Count)
            sum = Vector.FusedMultiplyAdd(Vector.LoadUnsafe(ref a, (nuint)k), Vector.LoadUnsafe(ref b, (nuint)k), sum);
        return Vector.Sum(sum);
    }
}
