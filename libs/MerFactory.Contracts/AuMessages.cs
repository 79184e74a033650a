namespace MerFactory.Contracts.Au;

/// <summary>Compute OpenFace-compatible AU rows for a video (every frame, or <see cref="SampleFps"/>) or an image.</summary>
[Step("au-extract")]
public sealed record ExtractActionUnits(Guid JobId, string FileId, ObjectReference Source, bool IsImage, double SampleFps, bool AllFaces) : IStepRequest<ActionUnitsExtracted>;

/// <summary>MER-Factory's FACS analysis of an AU CSV: emotion peaks, overall peak frame, AU description.</summary>
[Step("facs-analysis")]
public sealed record AnalyzeFacialExpression(Guid JobId, string FileId, ObjectReference AuCsv, string SourcePath, double Threshold, int PeakDistance) : IStepRequest<FacialExpressionAnalyzed>;

/// <summary>The OpenFace-format AU CSV (<see cref="Csv"/>) and its row counts.</summary>
public sealed record ActionUnitsExtracted(int Rows, int SuccessfulRows, bool NoFaceFound, ObjectReference Csv);

/// <summary>What the FACS analysis found (MER-Factory's AU JSON, <see cref="Document"/>, and the MER fields).</summary>
public sealed record FacialExpressionAnalyzed(
    IReadOnlyList<string> ChronologicalEmotionPeaks,
    string OverallPeakAuDescription,
    int? PeakFrameNumber,
    double? PeakTimestamp,
    IReadOnlyDictionary<string, double> TopAusIntensities,
    string FirstFrameDescription,
    bool IsExpressive,
    ObjectReference Document);
