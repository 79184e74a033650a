using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text.Json;
using MerFactory.Evaluation.Reports;

namespace MerFactory.Export.Sources;

/// <summary>
/// <c>--min-score</c> / <c>--exclude-flag</c>: passes on only the records whose evaluation sidecar (<c>{id}_eval.json</c>,
/// written by <c>merfactory evaluate</c> or <c>process --evaluate</c>) has a high enough composite score and none of the
/// excluded flags. A record without an evaluation is left out too, since nothing shows it passes; each is reported.
/// </summary>
public sealed class EvaluationFilterSource(IExportRecordSource inner, IRecordFileProvider files, double? minScore, IReadOnlyList<string> excludedFlags) : IExportRecordSource
{
    public string Description => inner.Description;

    public async IAsyncEnumerable<ExportRecord> ReadAsync(ExportFileType fileType, ExportReport report, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await foreach (var record in inner.ReadAsync(fileType, report, cancellationToken))
        {
            var name = record.Id + EvaluationJson.SidecarSuffix;
            var location = files.Locate(record.Id, name);
            var reason = await RejectionAsync(record.Id, name, cancellationToken);
            if (reason is null) yield return record;
            else report.Filter(record.Id, location, reason);
        }
    }

    /// <summary>Why the record is left out, or null when it passes.</summary>
    private async Task<string?> RejectionAsync(string id, string name, CancellationToken cancellationToken)
    {
        await using var stream = await files.TryOpenAsync(id, name, cancellationToken);
        if (stream is null) return $"not evaluated (no {name}; run `merfactory evaluate` first)";
        double? composite;
        IReadOnlySet<string> flags;
        try
        {
            (composite, flags) = EvaluationJson.ReadScoreAndFlags(stream);
        }
        catch (JsonException e)
        {
            return $"evaluation unreadable: {LayoutRecordSource.FirstLine(e.Message)}";
        }
        if (minScore is { } min)
        {
            if (composite is not { } score) return "no composite score (nothing to score), below --min-score";
            if (score < min) return string.Create(CultureInfo.InvariantCulture, $"composite score {score:0.0} below --min-score {min:0.0}");
        }
        var excluded = excludedFlags.Where(flags.Contains).ToList();
        return excluded.Count > 0 ? $"flagged {string.Join(", ", excluded)} (--exclude-flag)" : null;
    }
}
