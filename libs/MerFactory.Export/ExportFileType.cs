namespace MerFactory.Export;

/// <summary>The five kinds of MER-Factory analysis output (export.py's <c>--file_type</c>).</summary>
public enum ExportFileType
{
    Au,
    Image,
    Mer,
    Audio,
    Video,
}

public static class ExportFileTypes
{
    public static IReadOnlyList<ExportFileType> All { get; } =
        [ExportFileType.Au, ExportFileType.Image, ExportFileType.Mer, ExportFileType.Audio, ExportFileType.Video];

    /// <summary>The lower-case name used on the command line, in CSV <c>file_type</c> cells and in file names.</summary>
    public static string Name(this ExportFileType type) => type switch
    {
        ExportFileType.Au => "au",
        ExportFileType.Image => "image",
        ExportFileType.Mer => "mer",
        ExportFileType.Audio => "audio",
        ExportFileType.Video => "video",
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, null),
    };

    /// <summary>Parses <c>au|image|mer|audio|video</c>, case-insensitively (export.py lower-cases too).</summary>
    public static ExportFileType Parse(string value) =>
        TryParse(value, out var type)
            ? type
            : throw new ArgumentException(
                $"Unknown file type '{value}'; expected one of: {string.Join(", ", All.Select(Name))}.", nameof(value));

    public static bool TryParse(string? value, out ExportFileType type)
    {
        foreach (var candidate in All)
        {
            if (string.Equals(candidate.Name(), value?.Trim(), StringComparison.OrdinalIgnoreCase))
            {
                type = candidate;
                return true;
            }
        }
        type = default;
        return false;
    }

    /// <summary>The analysis JSON a record folder holds for this type: <c>{id}_{suffix}.json</c> (spec §7.1).</summary>
    public static string AnalysisFileName(this ExportFileType type, string id) => type switch
    {
        ExportFileType.Au => $"{id}_au_analysis.json",
        ExportFileType.Image => $"{id}_image_analysis.json",
        ExportFileType.Mer => $"{id}_merr_data.json",
        ExportFileType.Audio => $"{id}_audio_analysis.json",
        ExportFileType.Video => $"{id}_video_analysis.json",
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, null),
    };
}
