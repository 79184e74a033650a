using MerFactory.Export.Sources;

namespace MerFactory.Export.Writers;

/// <summary>
/// LLaMA-Factory ShareGPT shape (spec §8.4, fixed): every media entry has exactly one placeholder tag in the
/// user turn (LLaMA-Factory's <c>mm_plugin._validate_messages</c> rejects a sample otherwise), and every type
/// always writes the same media keys, which are the columns registered in <c>dataset_info.json</c>.
/// </summary>
public static class ShareGptLayout
{
    public const string MessagesKey = "messages";
    public const string RoleKey = "role";
    public const string ContentKey = "content";
    public const string UserRole = "user";
    public const string AssistantRole = "gpt";
    public const string ImageTag = "<image>";
    public const string VideoTag = "<video>";
    public const string AudioTag = "<audio>";

    private static readonly HashSet<string> ImageExtensions = new(StringComparer.OrdinalIgnoreCase) { ".jpg", ".jpeg", ".png", ".bmp", ".webp", ".gif", ".tif", ".tiff" };

    public static string FileName(ExportFileType type, JsonFormat format) =>
        $"{type.Name()}_sharegpt_export.{(format == JsonFormat.Jsonl ? "jsonl" : "json")}";

    /// <summary>
    /// Media keys each example of <paramref name="type"/> carries (possibly as empty lists).
    /// <c>au</c> analyses a video or an image, so it carries both keys and fills the one that matches the source
    /// (export.py declared a video as an <c>&lt;image&gt;</c>).
    /// </summary>
    public static IReadOnlyList<string> MediaKeys(ExportFileType type) => type switch
    {
        ExportFileType.Mer => ["videos", "audios"],
        ExportFileType.Video => ["videos"],
        ExportFileType.Audio => ["audios"],
        ExportFileType.Image => ["images"],
        ExportFileType.Au => ["images", "videos"],
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, null),
    };

    /// <summary>The training example for a record; problems worth knowing go to <paramref name="report"/>.</summary>
    public static ShareGptExample Build(ExportRecord record, string instruction, ExportReport report)
    {
        List<string> images = [], videos = [], audios = [];
        switch (record.FileType)
        {
            case ExportFileType.Mer:
                videos.Add(record.SourcePath);
                if (!string.IsNullOrEmpty(record.AudioPath)) audios.Add(record.AudioPath);
                else report.Warn(record.Id, record.Origin, "no audio_path and no extracted .wav: exported with the video only (no <audio> tag)");
                break;
            case ExportFileType.Video:
                videos.Add(record.SourcePath);
                break;
            case ExportFileType.Audio:
                audios.Add(string.IsNullOrEmpty(record.AudioPath) ? record.SourcePath : record.AudioPath);
                break;
            case ExportFileType.Image:
                images.Add(record.SourcePath);
                break;
            case ExportFileType.Au:
                (IsImage(record.SourcePath) ? images : videos).Add(record.SourcePath);
                break;
        }

        var tags = string.Concat(Enumerable.Repeat(ImageTag, images.Count))
                   + string.Concat(Enumerable.Repeat(VideoTag, videos.Count))
                   + string.Concat(Enumerable.Repeat(AudioTag, audios.Count));
        var answer = RecordChecks.TrainingTarget(record);
        var (safeInstruction, instructionChanged) = NeutralizeTags(instruction);
        var (safeAnswer, answerChanged) = NeutralizeTags(answer);
        if (instructionChanged || answerChanged)
        {
            report.Warn(record.Id, record.Origin,
                "text contained <image>/<video>/<audio>, which LLaMA-Factory would count as media placeholders; written as [image]/[video]/[audio]");
        }

        var media = new Dictionary<string, IReadOnlyList<string>> { ["images"] = images, ["videos"] = videos, ["audios"] = audios };
        return new ShareGptExample(
            $"{tags}\n{safeInstruction}",
            safeAnswer,
            MediaKeys(record.FileType).Select(key => new KeyValuePair<string, IReadOnlyList<string>>(key, media[key])).ToList());
    }

    public static bool IsImage(string path) => ImageExtensions.Contains(Path.GetExtension(path));

    private static (string Text, bool Changed) NeutralizeTags(string text)
    {
        if (!text.Contains('<')) return (text, false);
        var result = text.Replace(ImageTag, "[image]", StringComparison.Ordinal)
            .Replace(VideoTag, "[video]", StringComparison.Ordinal)
            .Replace(AudioTag, "[audio]", StringComparison.Ordinal);
        return (result, !ReferenceEquals(result, text) && result != text);
    }
}

/// <summary>One ShareGPT example: user turn (tags + instruction), assistant turn, and media lists in key order.</summary>
public sealed record ShareGptExample(string UserContent, string AssistantContent, IReadOnlyList<KeyValuePair<string, IReadOnlyList<string>>> Media);
