using MerFactory.Export.Sources;
using MerFactory.Export.Writers;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace MerFactory.Export;

/// <summary>
/// Runs an export: one pass over a record source, fanned out to the requested writers (CSV, ShareGPT,
/// Emotion-LLaMA). Records stream through one at a time; files appear at their final paths only when complete.
/// </summary>
public sealed partial class ExportRunner(ILogger<ExportRunner>? logger = null)
{
    private readonly ILogger _logger = logger ?? NullLogger<ExportRunner>.Instance;

    /// <summary>export.py's two modes (spec §8.1): an output folder (mode 1) or a CSV to convert (mode 2).</summary>
    public Task<ExportResult> RunAsync(ExportOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.FiltersByEvaluation)
        {
            if (options.OutputFolder is not { Length: > 0 })
                throw new ArgumentException("--min-score and --exclude-flag read each record's {id}_eval.json, so they need an output folder (mode 1).");
            if (options.ExcludeFlags.FirstOrDefault(f => !Evaluation.FlagCodes.All.Contains(f)) is { } unknown)
                throw new ArgumentException($"Unknown flag '{unknown}': expected one of {string.Join(", ", Evaluation.FlagCodes.All)}.");
        }
        if (options.InputCsv is { Length: > 0 } csv)
        {
            if (options.OutputFolder is { Length: > 0 })
                throw new ArgumentException("Give either an output folder (mode 1) or an input CSV (mode 2), not both.");
            var csvType = CsvRecordSource.DetectFileType(csv);
            if (options.FileType is { } requested && requested != csvType)
                throw new ArgumentException($"CSV '{Path.GetFullPath(csv)}' holds '{csvType.Name()}' records, but file type '{requested.Name()}' was requested.");
            // Converting a CSV writes training files only: re-writing the CSV it reads would be pointless.
            var exportPath = options.ExportPath ?? Path.GetDirectoryName(Path.GetFullPath(csv))!;
            return RunAsync(new CsvRecordSource(csv), csvType, options with { ExportPath = exportPath, ExportCsv = false }, cancellationToken);
        }
        if (options.OutputFolder is { Length: > 0 } folder)
        {
            var type = options.FileType
                       ?? throw new ArgumentException("A file type (au, image, mer, audio, video) is required with an output folder.");
            var files = new FolderRecordFileProvider(folder);
            IExportRecordSource source = new LayoutRecordSource(files, SideFiles(options));
            if (options.FiltersByEvaluation) source = new EvaluationFilterSource(source, files, options.MinScore, options.ExcludeFlags);
            return RunAsync(source, type, options with { ExportPath = options.ExportPath ?? folder }, cancellationToken);
        }
        throw new ArgumentException("Nothing to export: give an output folder and a file type (mode 1), or an input CSV (mode 2).");
    }

    /// <summary>
    /// Exports the records of <paramref name="source"/> (e.g. a <see cref="LayoutRecordSource"/> over an object store)
    /// into <see cref="ExportOptions.ExportPath"/>, using the options' CSV/format/seed settings.
    /// </summary>
    public async Task<ExportResult> RunAsync(IExportRecordSource source, ExportFileType fileType, ExportOptions options, CancellationToken cancellationToken = default)
    {
        var exportPath = options.ExportPath ?? throw new ArgumentException("An export path is required.", nameof(options));
        if (options.ExportFormat is ExportFormat.EmotionLlama or ExportFormat.EmotionLlamaFine && fileType != ExportFileType.Mer)
            throw new ArgumentException($"Emotion-LLaMA MERR export needs 'mer' records (peaks, AU and audio cues, summary); '{fileType.Name()}' records have none.");
        if (!options.ExportCsv && options.ExportFormat is null)
            throw new ArgumentException("Nothing to write: enable the CSV export or choose an export format.");
        var pools = options.PromptFile is { Length: > 0 } promptFile ? InstructionPools.Load(promptFile) : InstructionPools.BuiltIn;
        Directory.CreateDirectory(exportPath);

        var report = new ExportReport(options.MaxIssueDetails);
        report.IssueReported += issue => LogIssue(issue.Severity, issue.RecordId ?? "-", issue.Message, issue.Location ?? "-");
        LogStarting(fileType.Name(), source.Description, exportPath);

        var writers = new List<IExportWriter>();
        try
        {
            if (options.ExportCsv) writers.Add(new CsvExportWriter(exportPath, fileType));
            switch (options.ExportFormat)
            {
                case ExportFormat.ShareGpt:
                    writers.Add(new ShareGptWriter(exportPath, fileType, options.JsonFormat, pools, options.Seed, report));
                    break;
                case ExportFormat.EmotionLlama:
                case ExportFormat.EmotionLlamaFine:
                    writers.Add(new EmotionLlamaWriter(exportPath, options.ExportFormat == ExportFormat.EmotionLlamaFine, report));
                    break;
            }

            // Ids seen so far: a few bytes per record, needed to refuse duplicate stems instead of exporting twice.
            var seen = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
            var exported = 0;
            await foreach (var record in source.ReadAsync(fileType, report, cancellationToken))
            {
                if (!seen.TryAdd(record.Id, record.Origin))
                {
                    report.Skip(record.Id, record.Origin, $"duplicate stem: '{record.Id}' was already exported from {seen[record.Id]}");
                    continue;
                }
                foreach (var writer in writers) await writer.WriteAsync(record, cancellationToken);
                exported++;
            }
            if (exported == 0)
                report.Warn(null, source.Description, $"no {fileType.Name()} records found; the files written are empty");

            var files = new List<ExportedFile>();
            foreach (var writer in writers) files.AddRange(await writer.CompleteAsync(cancellationToken));

            var result = new ExportResult(fileType, exported, report.SkippedRecords, report.Warnings, files, report.Issues, report.NotDetailed, report.FilteredRecords)
            {
                RecordsExcluded = report.ExcludedRecords,
            };
            LogFinished(fileType.Name(), result.RecordsExported, result.RecordsSkipped, result.WarningCount, exportPath);
            return result;
        }
        finally
        {
            foreach (var writer in writers) await writer.DisposeAsync();
        }
    }

    internal static SideFileOptions SideFiles(ExportOptions options) => new()
    {
        AuActivityThreshold = options.AuActivityThreshold,
        ClipAuMinActiveFraction = options.ClipAuMinActiveFraction,
        ExcludeDegraded = options.ExcludeDegraded,
    };

    [LoggerMessage(Level = LogLevel.Information, Message = "Exporting {FileType} records from {Source} to {ExportPath}")]
    private partial void LogStarting(string fileType, string source, string exportPath);

    [LoggerMessage(Level = LogLevel.Information, Message = "Exported {Exported} {FileType} records ({Skipped} skipped, {Warnings} warnings) to {ExportPath}")]
    private partial void LogFinished(string fileType, int exported, int skipped, int warnings, string exportPath);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Export {Severity} [{RecordId}]: {Message} ({Location})")]
    private partial void LogIssue(IssueSeverity severity, string recordId, string message, string location);
}
