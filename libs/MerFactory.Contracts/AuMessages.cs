using MerFactory.Contracts.Media;

namespace MerFactory.Contracts.Au;

/// <summary>Compute OpenFace-compatible AU rows for a video (every frame, or <see cref="SampleFps"/>) or an image.</summary>
public sealed record ExtractActionUnits(Guid JobId, string FileId, ObjectReference Source, bool IsImage, double SampleFps, bool AllFaces) : IStepRequest;

/// <summary>MER-Factory's FACS analysis of an AU CSV: emotion peaks, overall peak frame, AU description.</summary>
public sealed record AnalyzeFacialExpression(Guid JobId, string FileId, ObjectReference AuCsv, string SourcePath, double Threshold, int PeakDistance) : IStepRequest;
