using System.CommandLine;
using System.Globalization;
using MerFactory.Evaluation;
using MerFactory.Evaluation.Reports;
using MerFactory.Pipeline.Synthesis;

namespace MerFactory.Cli;

/// <summary>
/// <c>merfactory evaluate OUTPUT_DIR [--label-file CSV] [--html PATH]</c>: model-free quality and grounding checks of every
/// record. Writes <c>{id}/{id}_eval.json</c>, <c>evaluation.json</c>, <c>evaluation.csv</c> and the HTML report.
/// Exit codes: 0 all records evaluated; 1 the evaluation could not run; 2 it ran but some records were unreadable.
/// </summary>
internal static class EvaluateCommand
{
    public const string DefaultHtmlName = "evaluation.html";

    public static readonly Argument<string> Output = new("OUTPUT_DIR") { Description = "A MerFactory (or MER-Factory) output folder." };
    public static readonly Option<string?> LabelFile = new("--label-file", "-l") { Description = "CSV with 'name' and 'label' columns (names are file stems): label hit rate and F1." };
    public static readonly Option<string?> Html = new("--html") { Description = $"Where the HTML report goes (default: OUTPUT_DIR/{DefaultHtmlName})." };

    public static Command Create()
    {
        var command = new Command("evaluate", "Checks every record against its measured evidence (AU table, transcript, prosody) and scores its text; no model needed.")
        {
            Output, LabelFile, Html,
        };
        Output.Validators.Add(r => { var path = r.GetValueOrDefault<string>(); if (!Directory.Exists(path)) r.AddError($"OUTPUT_DIR '{path}' does not exist."); });
        LabelFile.Validators.Add(r => { var path = r.GetValueOrDefault<string?>(); if (path is not null && !File.Exists(path)) r.AddError($"--label-file: file '{path}' does not exist."); });
        command.SetAction(async (parse, ct) =>
        {
            var output = parse.InvocationConfiguration.Output;
            var error = parse.InvocationConfiguration.Error;
            var folder = parse.GetValue(Output)!;
            try
            {
                var labels = parse.GetValue(LabelFile) is { } labelFile ? Pipeline.Synthesis.LabelFile.Read(labelFile) : null;
                var html = parse.GetValue(Html) ?? Path.Combine(folder, DefaultHtmlName);
                var summary = await Task.Run(() => new DatasetEvaluator().Run(new DatasetEvaluationOptions { OutputFolder = folder, Labels = labels, HtmlPath = html }, cancellationToken: ct), ct);
                await PrintAsync(summary, folder, html, output);
                return summary.ErrorCount > 0 ? 2 : 0;
            }
            catch (Exception e) when (e is LabelFileException or IOException or UnauthorizedAccessException)
            {
                await error.WriteLineAsync($"Evaluation failed: {e.Message}");
                return 1;
            }
        });
        return command;
    }

    /// <summary><c>process --evaluate</c>: the dataset files after the run; a record's problem is reported, never fatal to the run.</summary>
    public static async Task EvaluateAfterRunAsync(string folder, IReadOnlyDictionary<string, string>? labels, TextWriter output, CancellationToken cancellationToken)
    {
        var html = Path.Combine(folder, DefaultHtmlName);
        var summary = await Task.Run(() => new DatasetEvaluator().Run(new DatasetEvaluationOptions { OutputFolder = folder, Labels = labels, HtmlPath = html }, cancellationToken: cancellationToken), cancellationToken);
        await PrintAsync(summary, folder, html, output);
    }

    /// <summary>The summary in a few lines: counts, mean composite, flags, where the files are.</summary>
    public static async Task PrintAsync(EvaluationSummary summary, string folder, string? html, TextWriter output)
    {
        var c = CultureInfo.InvariantCulture;
        var composite = summary.Metrics[MetricNames.CompositeScore].Mean;
        await output.WriteLineAsync(string.Create(c, $"Evaluated {summary.Records} records ({summary.FlaggedRecords} flagged, {summary.ErrorCount} unreadable); mean composite {(composite is { } m ? m.ToString("0.0", c) : "n/a")}."));
        if (summary.LabelHitRate is { } hit) await output.WriteLineAsync(string.Create(c, $"  label hit rate {hit:0.000}"));
        foreach (var (code, count) in summary.FlagCounts.Where(f => f.Value > 0)) await output.WriteLineAsync($"  {code}: {count}");
        foreach (var problem in summary.Errors.Take(ExportCommand.MaxIssuesPrinted)) await output.WriteLineAsync($"  unreadable: {problem}");
        await output.WriteLineAsync($"  {Path.Combine(folder, "evaluation.json")}, {Path.Combine(folder, "evaluation.csv")}, {{id}}/{{id}}_eval.json" + (html is null ? "" : $", {html}"));
    }
}
