namespace MerFactory.Facs.Analysis;

/// <summary>
/// Settings of <see cref="FacialAnalysis.Analyze"/>. The defaults reproduce MER-Factory exactly
/// (<c>--threshold 0.8 --peak_dis 15</c>); every other behaviour is opt-in.
/// </summary>
public sealed class FacialAnalysisOptions
{
    /// <summary>MER-Factory's <c>--threshold</c>: the minimum summed intensity of a peak and, unless
    /// <see cref="EmotionThreshold"/> is set, the minimum emotion score. Default 0.8.</summary>
    public double Threshold { get; set; } = 0.8;

    /// <summary>MER-Factory's <c>--peak_dis</c>: minimum distance between peaks in rows (frames). Default 15.</summary>
    public int PeakDistanceFrames { get; set; } = 15;

    /// <summary>Opt-in: minimum distance between peaks in seconds, converted to frames with
    /// <see cref="FramesPerSecond"/> (or the rate the timestamps show); overrides <see cref="PeakDistanceFrames"/>.</summary>
    public double? PeakDistanceSeconds { get; set; }

    /// <summary>Frame rate for <see cref="PeakDistanceSeconds"/>; null = estimated from the median timestamp step.</summary>
    public double? FramesPerSecond { get; set; }

    /// <summary>Opt-in: a separate minimum emotion score (MER-Factory reuses <see cref="Threshold"/>).</summary>
    public double? EmotionThreshold { get; set; }

    /// <summary>Opt-in: leave out rows with <c>success = 0</c> (no face tracked) before any analysis.
    /// MER-Factory analyses every row.</summary>
    public bool SkipFailedFrames { get; set; }

    /// <summary>Opt-in: analyse only the rows of this face_id (OpenFace writes one row per face and frame).
    /// Null analyses every row in file order, as MER-Factory does; see <see cref="OpenFace.OpenFaceTable.MostPresentFaceId"/>.</summary>
    public int? FaceId { get; set; }

    /// <summary>Threshold of the AUs reported for the overall peak frame (strictly greater). MER-Factory fixes it at 0.8.</summary>
    public double ActiveAuThreshold { get; set; } = AuDescriptions.DefaultActiveThreshold;

    /// <summary>The minimum emotion score in effect.</summary>
    public double EffectiveEmotionThreshold => EmotionThreshold ?? Threshold;

    /// <summary>Throws <see cref="ArgumentException"/> naming the first invalid setting.</summary>
    public void Validate()
    {
        if (!double.IsFinite(Threshold)) throw new ArgumentException($"{nameof(Threshold)} must be a finite number, not {Threshold}.");
        if (PeakDistanceFrames < 1) throw new ArgumentException($"{nameof(PeakDistanceFrames)} must be at least 1, not {PeakDistanceFrames}.");
        if (PeakDistanceSeconds is { } seconds && !(seconds > 0 && double.IsFinite(seconds)))
            throw new ArgumentException($"{nameof(PeakDistanceSeconds)} must be a positive number of seconds, not {seconds}.");
        if (FramesPerSecond is { } fps && !(fps > 0 && double.IsFinite(fps)))
            throw new ArgumentException($"{nameof(FramesPerSecond)} must be positive, not {fps}.");
        if (EmotionThreshold is { } emotion && !double.IsFinite(emotion))
            throw new ArgumentException($"{nameof(EmotionThreshold)} must be a finite number, not {emotion}.");
        if (!double.IsFinite(ActiveAuThreshold)) throw new ArgumentException($"{nameof(ActiveAuThreshold)} must be a finite number.");
    }
}
