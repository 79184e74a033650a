using System.Text.Json;

namespace MerFactory.Export.Sources;

/// <summary>Maps one analysis JSON (spec §7.2) to an <see cref="ExportRecord"/>, reporting what is missing or odd.</summary>
internal sealed class AnalysisJsonReader(JsonElement root, string id, string location, ExportReport report)
{
    // Reported only when the record is exported: a skipped record gets its one skip reason, not a trail of warnings.
    private readonly List<string> _warnings = [];

    public ExportRecord? Read(ExportFileType fileType)
    {
        var sourcePath = String(root, "source_path");
        if (sourcePath.Length == 0)
        {
            report.Skip(id, location, "no source_path: the media file cannot be referenced");
            return null;
        }
        var record = new ExportRecord { Id = id, FileType = fileType, Origin = location, SourcePath = sourcePath };
        record = fileType switch
        {
            ExportFileType.Au => record with
            {
                ChronologicalEmotionPeaks = Peaks(),
                OverallPeakAuDescription = String(root, "overall_peak_au_description"),
            },
            ExportFileType.Audio => record with { AudioAnalysis = AudioAnalysis(root) },
            ExportFileType.Video => record with { LlmVideoSummary = String(root, "llm_video_summary") },
            ExportFileType.Image => record with
            {
                AuTextDescription = String(root, "au_text_description"),
                LlmAuDescription = String(root, "llm_au_description"),
                ImageVisualDescription = String(root, "image_visual_description"),
                FinalSummary = String(root, "final_summary"),
                GroundTruthLabel = OptionalString(root, "ground_truth_label") is { Length: > 0 } label ? label : null,
            },
            ExportFileType.Mer => ReadMer(record),
            _ => throw new ArgumentOutOfRangeException(nameof(fileType), fileType, null),
        };
        if (!RecordChecks.HasTrainingTarget(record, report)) return null;
        foreach (var warning in _warnings) report.Warn(id, location, warning);
        return record;
    }

    private ExportRecord ReadMer(ExportRecord record)
    {
        JsonElement coarse = default;
        if (!root.TryGetProperty("coarse_descriptions_at_peak", out coarse) || coarse.ValueKind != JsonValueKind.Object)
        {
            _warnings.Add("missing or non-object 'coarse_descriptions_at_peak'; its fields are left empty");
            coarse = default;
        }
        var hasCoarse = coarse.ValueKind == JsonValueKind.Object;
        return record with
        {
            AudioPath = OptionalString(root, "audio_path") is { Length: > 0 } audio ? audio : null,
            ChronologicalEmotionPeaks = Peaks(),
            OverallPeakFrameInfo = PeakInfo(),
            VisualExpression = hasCoarse ? String(coarse, "visual_expression") : "",
            VisualObjective = hasCoarse ? String(coarse, "visual_objective") : "",
            AudioAnalysis = hasCoarse ? AudioAnalysis(coarse) : "",
            VideoContent = hasCoarse ? String(coarse, "video_content") : "",
            FinalSummary = String(root, "final_summary"),
            GroundTruthLabel = OptionalString(root, "ground_truth_label") is { Length: > 0 } label ? label : null,
        };
    }

    private IReadOnlyList<string> Peaks()
    {
        if (!root.TryGetProperty("chronological_emotion_peaks", out var peaks) || peaks.ValueKind == JsonValueKind.Null)
        {
            _warnings.Add("missing 'chronological_emotion_peaks'");
            return [];
        }
        if (peaks.ValueKind == JsonValueKind.String)
        {
            _warnings.Add("'chronological_emotion_peaks' is a string, expected a list; split on \"; \"");
            return peaks.GetString()!.Split("; ", StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        }
        if (peaks.ValueKind != JsonValueKind.Array)
        {
            _warnings.Add($"'chronological_emotion_peaks' is {peaks.ValueKind}, expected a list; ignored");
            return [];
        }
        return peaks.EnumerateArray().Select(Text).Where(text => text.Length > 0).ToList();
    }

    private PeakFrameInfo? PeakInfo()
    {
        if (!root.TryGetProperty("overall_peak_frame_info", out var info) || info.ValueKind != JsonValueKind.Object)
        {
            _warnings.Add("missing or non-object 'overall_peak_frame_info'");
            return null;
        }
        return PeakFrameInfoJson.Read(info, _warnings.Add);
    }

    private string AudioAnalysis(JsonElement parent)
    {
        if (parent.TryGetProperty("audio_analysis", out var value) && value.ValueKind == JsonValueKind.Object)
        {
            // Gemini/ChatGPT audio failures leave {"transcript": "", "tone_description": ""} (spec §7.2).
            var transcript = String(value, "transcript", warnIfMissing: false);
            var tone = String(value, "tone_description", warnIfMissing: false);
            var text = string.Join("\n", new[] { transcript, tone.Length > 0 ? $"Speaker's tone: {tone}" : "" }.Where(s => s.Length > 0));
            _warnings.Add(text.Length == 0
                ? "'audio_analysis' is the empty object MER-Factory writes when the audio model failed; left empty"
                : "'audio_analysis' is an object; joined its transcript and tone");
            return text;
        }
        return String(parent, "audio_analysis");
    }

    private string String(JsonElement parent, string name, bool warnIfMissing = true)
    {
        if (!parent.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            if (warnIfMissing) _warnings.Add($"missing '{name}'");
            return "";
        }
        if (value.ValueKind is JsonValueKind.Object or JsonValueKind.Array)
        {
            _warnings.Add($"'{name}' is {value.ValueKind}, expected text; kept as JSON text");
        }
        return Text(value);
    }

    private static string? OptionalString(JsonElement parent, string name) =>
        parent.TryGetProperty(name, out var value) && value.ValueKind != JsonValueKind.Null ? Text(value) : null;

    private static string Text(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.String => value.GetString()!.Trim(),
        JsonValueKind.Null => "",
        _ => value.GetRawText(),
    };
}

/// <summary>Reads and writes <c>overall_peak_frame_info</c> (shared by the JSON, CSV and export writers).</summary>
internal static class PeakFrameInfoJson
{
    public static PeakFrameInfo Read(JsonElement info, Action<string> warn)
    {
        int? frame = null;
        if (info.TryGetProperty("frame_number", out var frameValue) && frameValue.ValueKind == JsonValueKind.Number)
        {
            if (frameValue.TryGetInt32(out var whole)) frame = whole;
            else if (frameValue.TryGetDouble(out var real) && real == Math.Floor(real)) frame = (int)real;
            else warn("'frame_number' is not a whole number; ignored");
        }
        double? timestamp = info.TryGetProperty("timestamp", out var ts) && ts.ValueKind == JsonValueKind.Number ? ts.GetDouble() : null;
        var aus = new List<KeyValuePair<string, double>>();
        if (info.TryGetProperty("top_aus_intensities", out var top) && top.ValueKind == JsonValueKind.Object)
        {
            foreach (var property in top.EnumerateObject())
            {
                if (property.Value.ValueKind == JsonValueKind.Number) aus.Add(new(property.Name, property.Value.GetDouble()));
                else warn($"AU intensity '{property.Name}' is not a number; ignored");
            }
        }
        return new PeakFrameInfo(frame, timestamp, aus);
    }

    public static void Write(Utf8JsonWriter writer, PeakFrameInfo info)
    {
        writer.WriteStartObject();
        if (info.FrameNumber is { } frame) writer.WriteNumber("frame_number", frame);
        if (info.Timestamp is { } timestamp) writer.WriteNumber("timestamp", timestamp);
        writer.WriteStartObject("top_aus_intensities");
        foreach (var (code, value) in info.TopAuIntensities) writer.WriteNumber(code, value);
        writer.WriteEndObject();
        writer.WriteEndObject();
    }
}
