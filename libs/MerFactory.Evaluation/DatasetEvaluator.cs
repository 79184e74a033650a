using System.Text.Json;
using MerFactory.Evaluation.Evidence;
using MerFactory.Evaluation.Reports;

namespace MerFactory.Evaluation;

/// <summary>What <c>merfactory evaluate</c> is asked to do.</summary>
public sealed record DatasetEvaluationOptions
{
    public required string OutputFolder { get; init; }

    /// <summary>Ground truth by file stem (the <c>--label-file</c>); a record's own <c>ground_truth_label</c> otherwise.</summary>
    public IReadOnlyDictionary<string, string>? Labels { get; init; }

    /// <summary>Where the HTML report goes; null writes none.</summary>
    public string? HtmlPath { get; init; }

    /// <summary>Records evaluated ahead of the one being written (bounded memory); default: two per core.</summary>
    public int ReadAhead { get; init; } = 2 * Environment.ProcessorCount;

    /// <summary>Worst records shown in the report.</summary>
    public int WorstShown { get; init; } = 10;
}

/// <summary>
/// Evaluates an output folder record by record: each record's <c>{id}/{id}_eval.json</c>, then <c>evaluation.json</c>,
/// <c>evaluation.csv</c> and the HTML report. Records stream through one at a time (memory stays flat); a record that
/// cannot be read is counted as an error and the others go on.
/// </summary>
public sealed class DatasetEvaluator(RecordEvaluator? evaluator = null)
{
    private static readonly HashSet<string> NonRecordFolders = new(StringComparer.OrdinalIgnoreCase) { "error_logs" };
    private readonly RecordEvaluator _evaluator = evaluator ?? new RecordEvaluator();

    public EvaluationSummary Run(DatasetEvaluationOptions options, Action<RecordEvaluation>? onRecord = null, CancellationToken cancellationToken = default)
    {
        var root = Path.GetFullPath(options.OutputFolder);
        if (!Directory.Exists(root)) throw new DirectoryNotFoundException($"Output folder '{root}' does not exist.");
        var summary = new EvaluationSummary(options.WorstShown);
        using (var files = new DatasetFiles(root))
        {
            // A bounded window of records evaluated ahead on the thread pool (reading files overlaps computing);
            // results are taken in folder order, so the files are deterministic and memory stays flat.
            var window = new Queue<(string Folder, Task<RecordEvaluation?> Work)>();
            var readAhead = Math.Max(2, options.ReadAhead);
            foreach (var folder in RecordFolders(root))
            {
                cancellationToken.ThrowIfCancellationRequested();
                window.Enqueue((folder, Task.Run(() => EvaluateFolder(folder, options.Labels), cancellationToken)));
                if (window.Count >= readAhead) Take(window.Dequeue());
            }
            while (window.Count > 0) Take(window.Dequeue());
            files.Complete(summary, root);

            void Take((string Folder, Task<RecordEvaluation?> Work) next)
            {
                RecordEvaluation? evaluation;
                try
                {
                    evaluation = next.Work.GetAwaiter().GetResult();
                }
                catch (Exception e) when (e is JsonException or IOException or UnauthorizedAccessException)
                {
                    summary.AddError(Path.GetFileName(next.Folder), e.Message);
                    return;
                }
                if (evaluation is null) return;
                files.Add(evaluation);
                summary.Add(evaluation);
                onRecord?.Invoke(evaluation);
            }
        }
        if (options.HtmlPath is { } html) HtmlReport.Write(html, summary, root);
        return summary;
    }

    /// <summary>
    /// Evaluates one record folder and writes its <c>{id}_eval.json</c> (atomically); null when the folder holds no record.
    /// This is also what <c>process --evaluate</c> calls as each record is written.
    /// </summary>
    public RecordEvaluation? EvaluateFolder(string recordFolder, IReadOnlyDictionary<string, string>? labels = null)
    {
        var evidence = RecordFolderReader.Read(recordFolder, labels);
        if (evidence is null) return null;
        var evaluation = _evaluator.Evaluate(evidence);
        var path = Path.Combine(recordFolder, evidence.Id + EvaluationJson.SidecarSuffix);
        File.WriteAllBytes(path + ".partial", EvaluationJson.Sidecar(evaluation));
        File.Move(path + ".partial", path, overwrite: true);
        return evaluation;
    }

    /// <summary>Record folders in ordinal order (reproducible files); hidden folders and <c>error_logs</c> are not records.</summary>
    public static IEnumerable<string> RecordFolders(string root) =>
        Directory.EnumerateDirectories(root)
            .Where(d => Path.GetFileName(d) is { } name && !name.StartsWith('.') && !NonRecordFolders.Contains(name))
            .Order(StringComparer.Ordinal)
            .ToList();
}
