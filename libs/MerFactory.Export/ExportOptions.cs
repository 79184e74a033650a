namespace MerFactory.Export;

/// <summary>Training-data formats of export.py's <c>--export_format</c>.</summary>
public enum ExportFormat
{
    /// <summary>LLaMA-Factory ShareGPT (<c>{type}_sharegpt_export.json|jsonl</c>).</summary>
    ShareGpt,

    /// <summary>Emotion-LLaMA <c>MERR_coarse_grained.{txt,json}</c>.</summary>
    EmotionLlama,

    /// <summary>Emotion-LLaMA <c>MERR_fine_grained.{txt,json}</c>.</summary>
    EmotionLlamaFine,
}

/// <summary>ShareGPT container: one JSON array, or one object per line.</summary>
public enum JsonFormat
{
    Json,
    Jsonl,
}

/// <summary>
/// export.py's flags (spec §8.1). Mode 1: <see cref="OutputFolder"/> + <see cref="FileType"/>;
/// mode 2: <see cref="InputCsv"/> (the type is read from the CSV's <c>file_type</c>).
/// </summary>
public sealed record ExportOptions
{
    /// <summary><c>--output_folder</c>: a MER-Factory output folder (mode 1).</summary>
    public string? OutputFolder { get; init; }

    /// <summary><c>--file_type</c>. Required in mode 1; in mode 2, when given, it must match the CSV.</summary>
    public ExportFileType? FileType { get; init; }

    /// <summary><c>--input_csv</c>: a CSV written by this exporter (or by export.py) to convert (mode 2).</summary>
    public string? InputCsv { get; init; }

    /// <summary><c>--export_path</c>; default: the output folder (mode 1) or the CSV's folder (mode 2). Created if missing.</summary>
    public string? ExportPath { get; init; }

    /// <summary><c>--export_csv</c>: also write <c>{type}_export_data.csv</c> (mode 1 only).</summary>
    public bool ExportCsv { get; init; }

    /// <summary><c>--export_format</c>; default ShareGPT like export.py. Null writes no training file (CSV only).</summary>
    public ExportFormat? ExportFormat { get; init; } = Export.ExportFormat.ShareGpt;

    /// <summary><c>--json_format</c> (ShareGPT only).</summary>
    public JsonFormat JsonFormat { get; init; } = JsonFormat.Json;

    /// <summary><c>--prompt-file</c>: its <c>user_questions</c> are the instruction pools; null uses the built-in pools.</summary>
    public string? PromptFile { get; init; }

    /// <summary>Seed for the instruction choice, so an export is reproducible (export.py used unseeded random).</summary>
    public int Seed { get; init; }

    /// <summary>AU intensity above which an AU counts as active (MER-Factory's 0.8).</summary>
    public double AuActivityThreshold { get; init; } = 0.8;

    /// <summary>Share of AU-CSV frames in which an AU must be active to enter the clip-level <c>AU_list</c>.</summary>
    public double ClipAuMinActiveFraction { get; init; } = 0.1;

    /// <summary><c>--exclude-degraded</c>: leave out records flagged <c>"degraded": true</c>.</summary>
    public bool ExcludeDegraded { get; init; }

    /// <summary><c>--min-score</c>: export only records whose <c>{id}_eval.json</c> composite score is at least this (0–100).</summary>
    public double? MinScore { get; init; }

    /// <summary><c>--exclude-flag</c>: leave out records whose <c>{id}_eval.json</c> carries any of these flag codes.</summary>
    public IReadOnlyList<string> ExcludeFlags { get; init; } = [];

    /// <summary>True when a filter needs the records' evaluation sidecars.</summary>
    public bool FiltersByEvaluation => MinScore is not null || ExcludeFlags.Count > 0;

    /// <summary>At most this many issues are kept with details; counts stay exact beyond it.</summary>
    public int MaxIssueDetails { get; init; } = 10_000;
}
