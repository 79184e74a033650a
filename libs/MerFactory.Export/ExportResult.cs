namespace MerFactory.Export;

public enum IssueSeverity
{
    /// <summary>The record was exported, but something was missing or repaired.</summary>
    Warning,

    /// <summary>The record was not exported at all.</summary>
    Skipped,

    /// <summary>The record was exported, but one output (e.g. the Emotion-LLaMA TXT) could not take it.</summary>
    LeftOut,

    /// <summary>
    /// Passed over by design, not a failure: the record folder holds no analysis of the chosen type (normal after a
    /// mixed run), or the record is degraded and degraded records were excluded on request.
    /// </summary>
    Excluded,

    /// <summary>The record was left out on purpose: its evaluation is below <c>--min-score</c> or carries an excluded flag.</summary>
    Filtered,
}

/// <summary>One problem, naming the record and the file (or CSV row) it came from.</summary>
public sealed record ExportIssue(IssueSeverity Severity, string? RecordId, string? Location, string Message)
{
    public override string ToString() =>
        $"{Severity.ToString().ToLowerInvariant()}: {(RecordId is null ? "" : $"[{RecordId}] ")}{Message}{(Location is null ? "" : $" ({Location})")}";
}

/// <summary>A file an export wrote, with how many records went in and how many were left out of it.</summary>
public sealed record ExportedFile(string Path, string Format, int RecordsWritten, int RecordsSkipped);

/// <summary>What an export did. <see cref="RecordsSkipped"/> + <see cref="RecordsExported"/> = every record the source saw.</summary>
public sealed record ExportResult(
    ExportFileType FileType,
    int RecordsExported,
    int RecordsSkipped,
    int WarningCount,
    IReadOnlyList<ExportedFile> Files,
    IReadOnlyList<ExportIssue> Issues,
    int IssuesNotDetailed,
    int RecordsFiltered = 0)
{
    /// <summary>Record folders passed over by design (<see cref="IssueSeverity.Excluded"/>); not counted in <see cref="RecordsSkipped"/>.</summary>
    public int RecordsExcluded { get; init; }

    public ExportedFile File(string format) =>
        Files.FirstOrDefault(f => f.Format == format)
        ?? throw new KeyNotFoundException($"No '{format}' file in this export ({string.Join(", ", Files.Select(f => f.Format))}).");
}

/// <summary>Collects issues while an export streams; counts are exact, details are capped.</summary>
public sealed class ExportReport(int maxIssueDetails = 10_000)
{
    private readonly List<ExportIssue> _issues = [];

    public int Warnings { get; private set; }

    /// <summary>Records not exported at all.</summary>
    public int SkippedRecords { get; private set; }

    /// <summary>Records left out by the evaluation filters (<c>--min-score</c>, <c>--exclude-flag</c>).</summary>
    public int FilteredRecords { get; private set; }

    /// <summary>Record-output pairs left out (a record missing from one output only).</summary>
    public int LeftOut { get; private set; }

    /// <summary>Record folders passed over by design (see <see cref="IssueSeverity.Excluded"/>).</summary>
    public int ExcludedRecords { get; private set; }
    public int NotDetailed { get; private set; }
    public IReadOnlyList<ExportIssue> Issues => _issues;

    /// <summary>Raised for every issue (the runner logs them).</summary>
    public event Action<ExportIssue>? IssueReported;

    public void Warn(string? recordId, string? location, string message) =>
        Add(new ExportIssue(IssueSeverity.Warning, recordId, location, message));

    public void Skip(string? recordId, string? location, string message) =>
        Add(new ExportIssue(IssueSeverity.Skipped, recordId, location, message));

    public void Exclude(string? recordId, string? location, string message) =>
        Add(new ExportIssue(IssueSeverity.Excluded, recordId, location, message));

    public void Filter(string? recordId, string? location, string message) =>
        Add(new ExportIssue(IssueSeverity.Filtered, recordId, location, message));

    public void LeaveOut(string? recordId, string? location, string message) =>
        Add(new ExportIssue(IssueSeverity.LeftOut, recordId, location, message));

    /// <summary>Records an issue collected elsewhere (e.g. by a reader working ahead), keeping its severity.</summary>
    public void Add(ExportIssue issue)
    {
        switch (issue.Severity)
        {
            case IssueSeverity.Warning: Warnings++; break;
            case IssueSeverity.Skipped: SkippedRecords++; break;
            case IssueSeverity.Excluded: ExcludedRecords++; break;
            case IssueSeverity.Filtered: FilteredRecords++; break;
            default: LeftOut++; break;
        }
        if (_issues.Count < maxIssueDetails) _issues.Add(issue);
        else NotDetailed++;
        IssueReported?.Invoke(issue);
    }
}
