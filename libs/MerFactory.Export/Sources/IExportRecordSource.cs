namespace MerFactory.Export.Sources;

/// <summary>
/// Streams the records of one file type. Implementations read one record at a time so memory stays flat;
/// records they cannot read are reported to <paramref name="report"/> as skipped (never dropped silently).
/// </summary>
public interface IExportRecordSource
{
    /// <summary>Where the records come from, for messages.</summary>
    string Description { get; }

    IAsyncEnumerable<ExportRecord> ReadAsync(ExportFileType fileType, ExportReport report, CancellationToken cancellationToken = default);
}

/// <summary>Which side files a source should read besides the analysis JSON.</summary>
public sealed record SideFileOptions
{
    /// <summary>Read <c>{id}.csv</c> (OpenFace AUs) for the frame count and clip-level AUs.</summary>
    public bool ReadAuCsv { get; init; } = true;

    /// <summary>Read <c>{id}_transcript.json</c>.</summary>
    public bool ReadTranscript { get; init; } = true;

    public double AuActivityThreshold { get; init; } = 0.8;

    public double ClipAuMinActiveFraction { get; init; } = 0.1;

    /// <summary>
    /// Records read ahead concurrently (output order is kept). Reading is dominated by opening small files,
    /// so a few reads in flight hide the storage latency; memory stays bounded by this window.
    /// </summary>
    public int ReadAhead { get; init; } = 8;

    /// <summary>Leave out records flagged <c>"degraded": true</c> (a clue missing or from a stand-in for its modality).</summary>
    public bool ExcludeDegraded { get; init; }
}
