namespace MerFactory.Facs.Peaks;

/// <summary>
/// <c>numpy.argsort(values)</c> with the default kind ("quicksort"), reproduced from numpy's portable introsort
/// (npysort/quicksort.cpp <c>aquicksort_</c>, heapsort fallback) so that equal values come out in numpy's order:
/// scipy's distance selection keeps, among equally high peaks, the one numpy's argsort puts last.
/// The introsort is not stable, so the order of ties is numpy's, not position order. numpy builds that dispatch to
/// SIMD sorts (AVX-512 x86-simd-sort) may order ties differently; values without ties sort identically everywhere.
/// </summary>
public static class NumpyArgsort
{
    // numpy: partitions of at most this size + 1 elements are finished by insertion sort.
    internal const int SmallQuicksort = 15;

    public static int[] Argsort(ReadOnlySpan<double> values)
    {
        var order = new int[values.Length];
        for (var i = 0; i < order.Length; i++) order[i] = i;
        if (order.Length > 1) Sort(values, order);
        return order;
    }

    // numpy's Tag::less for floating point: NaN sorts after everything.
    private static bool Less(double a, double b) => a < b || (double.IsNaN(b) && !double.IsNaN(a));

    private static void Sort(ReadOnlySpan<double> v, int[] tosort)
    {
        var pl = 0;
        var pr = tosort.Length - 1;
        var stack = new Stack<(int Left, int Right, int Depth)>();
        var cdepth = MostSignificantBit(tosort.Length) * 2;

        while (true)
        {
            if (cdepth < 0)
            {
                HeapSort(v, tosort, pl, pr - pl + 1);
            }
            else
            {
                while (pr - pl > SmallQuicksort)
                {
                    var pm = pl + ((pr - pl) >> 1);
                    if (Less(v[tosort[pm]], v[tosort[pl]])) Swap(tosort, pm, pl);
                    if (Less(v[tosort[pr]], v[tosort[pm]])) Swap(tosort, pr, pm);
                    if (Less(v[tosort[pm]], v[tosort[pl]])) Swap(tosort, pm, pl);
                    var vp = v[tosort[pm]];
                    var pi = pl;
                    var pj = pr - 1;
                    Swap(tosort, pm, pj);
                    while (true)
                    {
                        do pi++; while (Less(v[tosort[pi]], vp));
                        do pj--; while (Less(vp, v[tosort[pj]]));
                        if (pi >= pj) break;
                        Swap(tosort, pi, pj);
                    }

                    Swap(tosort, pi, pr - 1);
                    // Push the larger partition, continue with the smaller one.
                    cdepth--;
                    if (pi - pl < pr - pi)
                    {
                        stack.Push((pi + 1, pr, cdepth));
                        pr = pi - 1;
                    }
                    else
                    {
                        stack.Push((pl, pi - 1, cdepth));
                        pl = pi + 1;
                    }
                }

                for (var pi = pl + 1; pi <= pr; pi++)
                {
                    var vi = tosort[pi];
                    var vp = v[vi];
                    var pj = pi;
                    var pk = pi - 1;
                    while (pj > pl && Less(vp, v[tosort[pk]])) tosort[pj--] = tosort[pk--];
                    tosort[pj] = vi;
                }
            }

            if (stack.Count == 0) break;
            (pl, pr, cdepth) = stack.Pop();
        }
    }

    private static void HeapSort(ReadOnlySpan<double> v, int[] tosort, int start, int n)
    {
        // 1-based heap over tosort[start .. start + n - 1], as numpy's aheapsort_.
        int A(int k) => tosort[start + k - 1];
        void Set(int k, int value) => tosort[start + k - 1] = value;

        for (var l = n >> 1; l > 0; l--)
        {
            var tmp = A(l);
            int i = l, j = l << 1;
            while (j <= n)
            {
                if (j < n && Less(v[A(j)], v[A(j + 1)])) j++;
                if (Less(v[tmp], v[A(j)]))
                {
                    Set(i, A(j));
                    i = j;
                    j += j;
                }
                else break;
            }

            Set(i, tmp);
        }

        while (n > 1)
        {
            var tmp = A(n);
            Set(n, A(1));
            n--;
            int i = 1, j = 2;
            while (j <= n)
            {
                if (j < n && Less(v[A(j)], v[A(j + 1)])) j++;
                if (Less(v[tmp], v[A(j)]))
                {
                    Set(i, A(j));
                    i = j;
                    j += j;
                }
                else break;
            }

            Set(i, tmp);
        }
    }

    private static int MostSignificantBit(int n)
    {
        var depth = 0;
        while ((n >>= 1) != 0) depth++;
        return depth;
    }

    private static void Swap(int[] array, int a, int b) => (array[a], array[b]) = (array[b], array[a]);
}
