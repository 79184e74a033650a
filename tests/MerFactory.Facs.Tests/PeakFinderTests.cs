using MerFactory.Facs.Peaks;

namespace MerFactory.Facs.Tests;

/// <summary>
/// Cases whose expected peaks follow scipy.signal.find_peaks' documented semantics; each was also run through
/// scipy 1.10 (numpy 1.24) and gives the same indices there.
/// </summary>
public class PeakFinderTests
{
    public static TheoryData<double[], double?, double?, int[]> Cases => new()
    {
        // strict local maximum
        { [0, 1, 0], null, null, [1] },
        // first and last samples are never peaks
        { [3, 1, 2], null, null, [] },
        { [1, 2, 3], null, null, [] },
        { [], null, null, [] },
        { [1], null, null, [] },
        { [1, 2], null, null, [] },
        // plateaus: middle sample, the left one of two middles for even widths
        { [0, 2, 2, 2, 0], null, null, [2] },
        { [0, 2, 2, 0], null, null, [1] },
        { [0, 1, 1, 1, 1, 0], null, null, [2] },
        // a plateau reaching an end is not a peak; one that rises further is not either
        { [0, 2, 2], null, null, [] },
        { [2, 2, 0], null, null, [] },
        { [0, 2, 2, 3, 0], null, null, [3] },
        { [0, 1, 1, 0, 2, 2, 2, 2, 0, 1, 1, 1, 0], null, null, [1, 5, 10] },
        // height is inclusive
        { [0, 1, 0, 2, 0, 3, 0], 2.0, null, [3, 5] },
        // distance: greedy by height, not left to right
        { [0, 5, 0, 3, 0, 4, 0], null, 3.0, [1, 5] },
        { [0, 3, 0, 4, 0, 5, 0], null, 3.0, [1, 5] },
        // a fractional distance acts as the next integer
        { [0, 3, 0, 4, 0, 5, 0], null, 2.1, [1, 5] },
        { [0, 3, 0, 4, 0, 5, 0], null, 2.0, [1, 3, 5] },
        // equal heights: the later peak wins
        { [0, 2, 0, 2, 0], null, 3.0, [3] },
        { [0, 2, 0, 2, 0], null, 2.0, [1, 3] },
        { [0, 2, 0, 1, 0, 2, 0, 1, 0, 2, 0], null, 4.0, [1, 5, 9] },
        // height is applied before distance: a low peak filtered out cannot suppress anything
        { [0, 2, 0, 3, 0, 2, 0], 2.5, 3.0, [3] },
        // NaN compares false: it is never a peak and blocks its neighbours
        { [0, double.NaN, 0, 1, 0], null, null, [3] },
        { [0, 1, double.NaN, 1, 0], null, null, [] },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Finds_the_peaks_scipy_finds(double[] signal, double? height, double? distance, int[] expected)
    {
        Assert.Equal(expected, PeakFinder.FindPeaks(signal, minHeight: height, distance: distance));
    }

    [Fact]
    public void Height_interval_keeps_peaks_between_both_bounds()
    {
        Assert.Equal([1, 3], PeakFinder.FindPeaks([0, 1, 0, 2, 0, 3, 0], minHeight: 1, maxHeight: 2));
    }

    [Fact]
    public void Many_equal_peaks_are_thinned_in_numpy_introsort_order()
    {
        // np.tile([0, 5, 0, 0], 40): 40 equal peaks 4 apart. scipy keeps every other one from the right end until the
        // introsort's partitioning changes the visiting order (85 -> 97).
        var signal = Enumerable.Range(0, 40).SelectMany(_ => new double[] { 0, 5, 0, 0 }).ToArray();
        int[] scipy = [5, 13, 21, 29, 37, 45, 53, 61, 69, 77, 85, 97, 105, 113, 121, 133, 141, 149, 157];
        Assert.Equal(scipy, PeakFinder.FindPeaks(signal, distance: 6));
    }

    [Fact]
    public void Distance_result_keeps_every_pair_apart_and_every_removed_peak_has_a_higher_or_equal_neighbour()
    {
        var random = new Random(7);
        for (var trial = 0; trial < 200; trial++)
        {
            var signal = Enumerable.Range(0, random.Next(3, 300)).Select(_ => Math.Round(random.NextDouble() * 4, 1)).ToArray();
            var distance = random.Next(1, 25);
            var all = PeakFinder.FindPeaks(signal);
            var kept = PeakFinder.FindPeaks(signal, distance: distance);

            Assert.All(kept.Zip(kept.Skip(1)), pair => Assert.True(pair.Second - pair.First >= distance));
            Assert.Subset(all.ToHashSet(), kept.ToHashSet());
            foreach (var removed in all.Except(kept))
            {
                Assert.Contains(kept, k => Math.Abs(k - removed) < distance && signal[k] >= signal[removed]);
            }
        }
    }

    [Theory]
    [InlineData(0.5)]
    [InlineData(0)]
    [InlineData(double.NaN)]
    public void Distance_below_one_is_rejected(double distance)
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => PeakFinder.FindPeaks([0, 1, 0], distance: distance));
        Assert.Contains("distance", error.Message);
    }

    [Fact]
    public void Argsort_orders_ties_as_numpy_quicksort()
    {
        // numpy.argsort([1, 0] * 10) as numpy 1.24 returns it: 20 elements take the (unstable) partition path.
        double[] values = [.. Enumerable.Range(0, 20).Select(i => (double)((i + 1) % 2))];
        Assert.Equal([9, 17, 15, 13, 11, 7, 19, 5, 3, 1, 8, 18, 10, 4, 12, 14, 2, 16, 6, 0], NumpyArgsort.Argsort(values));
    }

    [Fact]
    public void Argsort_of_small_arrays_is_stable()
    {
        double[] values = [2, 1, 2, 1, 0, 2, 1, 0];
        Assert.Equal([4, 7, 1, 3, 6, 0, 2, 5], NumpyArgsort.Argsort(values));
    }
}
