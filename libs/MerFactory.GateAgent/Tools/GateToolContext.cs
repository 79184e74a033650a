using MerFactory.Facs.OpenFace;

namespace MerFactory.GateAgent.Tools;

/// <summary>What the tools of one gate run may read: the sample's files and data, and the run's limits.</summary>
public sealed class GateToolContext(GateInput input, GateOptions options)
{
    private OpenFaceTable? _auTable;
    private string? _auTableError;

    public GateInput Input { get; } = input ?? throw new ArgumentNullException(nameof(input));

    public GateOptions Options { get; } = options ?? throw new ArgumentNullException(nameof(options));

    /// <summary>Where the media tools' measurements run: <see cref="GateInput.Media"/>, else ffmpeg here on the input's paths.</summary>
    public IGateMedia Media { get; } = input.Media ?? new LocalGateMedia(input, options);

    public bool HasAuData => Input.AuTable is not null || !string.IsNullOrWhiteSpace(Input.AuCsvPath);

    /// <summary>
    /// The AU rows: <see cref="GateInput.AuTable"/>, or the CSV read once and kept for the rest of the run.
    /// Throws <see cref="GateToolException"/> naming the file when it cannot be read (and keeps saying so).
    /// </summary>
    public OpenFaceTable AuTable()
    {
        if (Input.AuTable is { } given) return given;
        if (_auTable is not null) return _auTable;
        if (_auTableError is not null) throw new GateToolException(_auTableError);
        if (string.IsNullOrWhiteSpace(Input.AuCsvPath)) throw new GateToolException("this sample has no AU data.");
        try
        {
            return _auTable = OpenFaceCsv.Read(Input.AuCsvPath);
        }
        catch (Exception error) when (error is FileNotFoundException or OpenFaceCsvException or IOException or UnauthorizedAccessException)
        {
            _auTableError = $"the AU data cannot be read ({Path.GetFileName(Input.AuCsvPath)}): {error.Message}";
            throw new GateToolException(_auTableError, error);
        }
    }
}
