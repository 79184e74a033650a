using System.CommandLine;
using System.Text.Json;
using MerFactory.Export;
using MerFactory.Export.Training;

namespace MerFactory.Cli;

/// <summary>
/// <c>merfactory export</c>: export.py's two modes and flags (spec §8.1). Mode 1: <c>--output_folder</c> +
/// <c>--file_type</c>; mode 2: <c>--input_csv</c>. Flags take export.py's underscore names and the CLI's hyphen names.
/// Exit codes: 0 records were exported (folders without the chosen type, as after a mixed run, and records excluded on
/// request are listed but are not failures); 1 the export could not run (bad input); 2 a usage error, or it ran but
/// exported nothing or skipped broken records (malformed or partial JSON, duplicate stems), each named in the output.
/// </summary>
internal static class ExportCommand
{
    /// <summary>Issues printed in detail; the counts always cover all of them.</summary>
    public const int MaxIssuesPrinted = 20;

    /// <summary>The <c>--export_format</c> value that writes no training file (with <c>--export_csv</c>: the CSV only).</summary>
    public const string NoFormat = "none";

    public static readonly Option<string?> OutputFolder = new("--output_folder", "--output-folder") { Description = "A MER-Factory output folder (mode 1, with --file_type)." };
    public static readonly Option<string?> FileType = new("--file_type", "--file-type") { Description = "au, image, mer, audio or video. Required in mode 1; in mode 2 it must match the CSV." };
    public static readonly Option<string?> InputCsv = new("--input_csv", "--input-csv") { Description = "A CSV written by an earlier export, to convert (mode 2)." };
    public static readonly Option<string?> ExportPath = new("--export_path", "--export-path") { Description = "Where the files go (created if missing); default: the output folder, or the CSV's folder." };
    public static readonly Option<bool> ExportCsv = new("--export_csv", "--export-csv") { Description = "Also write {type}_export_data.csv (mode 1)." };
    public static readonly Option<string> ExportFormat = new("--export_format", "--export-format")
    {
        Description = $"Training format: {string.Join(", ", OptionNames.ExportFormatNames)}, or '{NoFormat}' (CSV only).",
        DefaultValueFactory = _ => "sharegpt",
    };
    public static readonly Option<string> JsonFormat = new("--json_format", "--json-format") { Description = "ShareGPT container: json or jsonl.", DefaultValueFactory = _ => "json" };
    public static readonly Option<string?> PromptFile = new("--prompt-file", "--prompt_file") { Description = "Prompts JSON whose user_questions are the instruction pools; built-in pools when omitted." };
    public static readonly Option<bool> ExcludeDegraded = new("--exclude-degraded") { Description = "Leave out records flagged \"degraded\": true (a clue missing or from a stand-in for its modality)." };
    public static readonly Option<double?> MinScore = new("--min-score") { Description = "Export only records whose {id}_eval.json composite score is at least this (0-100); see `merfactory evaluate`." };
    public static readonly Option<string[]> ExcludeFlag = new("--exclude-flag") { Description = $"Leave out records flagged with this code (repeatable): {string.Join(", ", Evaluation.FlagCodes.All)}.", AllowMultipleArgumentsPerToken = false };
    public static readonly Option<int> Seed = new("--seed") { Description = "Seed for the instruction choice (same seed, same export).", DefaultValueFactory = _ => 0 };

    public static Command Create()
    {
        var command = new Command("export", "Exports analysis results to CSV, ShareGPT (LLaMA-Factory) or Emotion-LLaMA MERR training data.")
        {
            OutputFolder, FileType, InputCsv, ExportPath, ExportCsv, ExportFormat, JsonFormat, PromptFile, Seed, ExcludeDegraded, MinScore, ExcludeFlag,
        };
        MinScore.Validators.Add(r => { if (r.GetValueOrDefault<double?>() is { } v && (v is < 0 or > 100 || double.IsNaN(v))) r.AddError("--min-score must be between 0 and 100."); });
        ExcludeFlag.Validators.Add(r =>
        {
            foreach (var code in r.GetValueOrDefault<string[]>() ?? [])
                if (!Evaluation.FlagCodes.All.Contains(code)) r.AddError($"Invalid --exclude-flag '{code}': expected one of {string.Join(", ", Evaluation.FlagCodes.All)}.");
        });
        FileType.Validators.Add(r =>
        {
            var value = r.GetValueOrDefault<string?>();
            if (value is not null && !ExportFileTypes.TryParse(value, out _))
                r.AddError($"Invalid --file_type '{value}': expected one of {string.Join(", ", ExportFileTypes.All.Select(t => t.Name()))}.");
        });
        ExportFormat.Validators.Add(r =>
        {
            var value = r.GetValueOrDefault<string>();
            if (!IsNoFormat(value) && !OptionNames.ExportFormatNames.Contains(value?.Trim().ToLowerInvariant()))
                r.AddError($"Invalid --export_format '{value}': expected one of {string.Join(", ", OptionNames.ExportFormatNames)} or {NoFormat}.");
        });
        JsonFormat.Validators.Add(r =>
        {
            var value = r.GetValueOrDefault<string>();
            if (!OptionNames.JsonFormatNames.Contains(value?.Trim().ToLowerInvariant()))
                r.AddError($"Invalid --json_format '{value}': expected one of {string.Join(", ", OptionNames.JsonFormatNames)}.");
        });
        command.Validators.Add(r =>
        {
            var folder = r.GetValue(OutputFolder);
            var csv = r.GetValue(InputCsv);
            if (folder is null && csv is null)
                r.AddError("Nothing to export. Mode 1: --output_folder DIR --file_type TYPE [--export_csv]; mode 2: --input_csv FILE.");
            else if (folder is not null && csv is not null)
                r.AddError("Give either --output_folder (mode 1) or --input_csv (mode 2), not both.");
            else if (folder is not null && r.GetValue(FileType) is null)
                r.AddError("--file_type is required with --output_folder.");
            else if (csv is not null && r.GetValue(ExportCsv))
                r.AddError("--export_csv applies to mode 1 only; --input_csv already is a CSV.");
            else if (csv is not null && (r.GetValue(MinScore) is not null || r.GetValue(ExcludeFlag) is { Length: > 0 }))
                r.AddError("--min-score and --exclude-flag read each record's {id}_eval.json: they need --output_folder (mode 1).");
        });
        command.SetAction((parse, ct) => RunAsync(parse, ct));
        return command;
    }

    public static ExportOptions ToOptions(ParseResult parse) => new()
    {
        OutputFolder = parse.GetValue(OutputFolder),
        FileType = parse.GetValue(FileType) is { } type ? ExportFileTypes.Parse(type) : null,
        InputCsv = parse.GetValue(InputCsv),
        ExportPath = parse.GetValue(ExportPath),
        ExportCsv = parse.GetValue(ExportCsv),
        ExportFormat = IsNoFormat(parse.GetValue(ExportFormat)) ? null : OptionNames.ParseExportFormat(parse.GetValue(ExportFormat)!),
        JsonFormat = OptionNames.ParseJsonFormat(parse.GetValue(JsonFormat)!),
        PromptFile = parse.GetValue(PromptFile),
        Seed = parse.GetValue(Seed),
        ExcludeDegraded = parse.GetValue(ExcludeDegraded),
        MinScore = parse.GetValue(MinScore),
        ExcludeFlags = parse.GetValue(ExcludeFlag) ?? [],
    };

    private static async Task<int> RunAsync(ParseResult parse, CancellationToken cancellationToken)
    {
        var output = parse.InvocationConfiguration.Output;
        var error = parse.InvocationConfiguration.Error;
        ExportResult result;
        try
        {
            result = await new ExportRunner().RunAsync(ToOptions(parse), cancellationToken);
        }
        catch (Exception ex) when (IsUserError(ex))
        {
            await error.WriteLineAsync($"Export failed: {ex.Message}");
            return 1;
        }
        await PrintAsync(result, output);
        return ExitCode(result);
    }

    /// <summary>Counts, files, then the first <see cref="MaxIssuesPrinted"/> issues.</summary>
    public static async Task PrintAsync(ExportResult result, TextWriter output, string? heading = null)
    {
        await output.WriteLineAsync(
            $"{heading ?? "Export"} ({result.FileType.Name()}): {result.RecordsExported} exported, {result.RecordsSkipped} skipped, {result.RecordsExcluded} passed over, {result.WarningCount} warnings"
            + (result.RecordsFiltered > 0 ? $", {result.RecordsFiltered} left out by the evaluation filters." : "."));
        foreach (var file in result.Files)
        {
            var leftOut = file.RecordsSkipped > 0 ? $", {file.RecordsSkipped} left out" : "";
            await output.WriteLineAsync($"  {file.Format}: {file.Path} ({file.RecordsWritten} records{leftOut})");
        }
        var total = result.Issues.Count + result.IssuesNotDetailed;
        foreach (var issue in result.Issues.Take(MaxIssuesPrinted)) await output.WriteLineAsync($"  {issue}");
        if (total > MaxIssuesPrinted) await output.WriteLineAsync($"  … and {total - MaxIssuesPrinted} more issues (see the log).");
    }

    public static int ExitCode(params ExportResult[] results) =>
        results.Any(r => r.RecordsSkipped > 0 || r.RecordsExported == 0) ? SkippedRecordsExitCode : 0;

    public const int SkippedRecordsExitCode = 2;

    /// <summary>Bad input the user can fix: reported as one line, not a stack trace.</summary>
    public static bool IsUserError(Exception ex) => ex is ArgumentException or IOException or InvalidDataException
        or UnauthorizedAccessException or JsonException or LlamaFactoryCheckoutNotFoundException or KeyNotFoundException;

    private static bool IsNoFormat(string? value) => string.Equals(value?.Trim(), NoFormat, StringComparison.OrdinalIgnoreCase);
}
