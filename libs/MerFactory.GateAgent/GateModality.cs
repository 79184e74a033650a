using System.Text.Json.Serialization;

namespace MerFactory.GateAgent;

/// <summary>The evidence the gate judges, in MER-Factory's order (audio → video → peak_frame → au); JSON uses MER-Factory's keys.</summary>
public enum GateModality
{
    /// <summary>The audio analysis (transcript and vocal cues) from the audio LLM step.</summary>
    [JsonStringEnumMemberName("audio")]
    Audio,

    /// <summary>The video description from the video LLM step.</summary>
    [JsonStringEnumMemberName("video")]
    Video,

    /// <summary>The visual description of the overall peak frame from the image LLM step.</summary>
    [JsonStringEnumMemberName("peak_frame")]
    PeakFrame,

    /// <summary>The Action Unit evidence: the peak-frame AU description and the chronological emotion peaks.</summary>
    [JsonStringEnumMemberName("au")]
    Au,
}

public static class GateModalities
{
    /// <summary>All modalities in the order decisions are applied.</summary>
    public static IReadOnlyList<GateModality> All { get; } = [GateModality.Audio, GateModality.Video, GateModality.PeakFrame, GateModality.Au];

    /// <summary>The key used in the model's JSON and in <c>refined_prompt_{key}_{n}.txt</c>: audio, video, peak_frame, au.</summary>
    public static string Key(this GateModality modality) => modality switch
    {
        GateModality.Audio => "audio",
        GateModality.Video => "video",
        GateModality.PeakFrame => "peak_frame",
        GateModality.Au => "au",
        _ => throw new ArgumentOutOfRangeException(nameof(modality), modality, "Unknown gate modality."),
    };

    /// <summary>
    /// Whether a failed modality can be regenerated with a refined prompt. AU evidence comes from OpenFace, not from
    /// an LLM prompt, so a failed AU is rejected instead (MER-Factory does the same).
    /// </summary>
    public static bool IsRegenerable(this GateModality modality) => modality != GateModality.Au;

    /// <summary>What the modality's text is, for prompts.</summary>
    internal static string Title(this GateModality modality) => modality switch
    {
        GateModality.Audio => "Audio analysis",
        GateModality.Video => "Video description",
        GateModality.PeakFrame => "Peak-frame visual description",
        GateModality.Au => "Facial Action Unit evidence",
        _ => throw new ArgumentOutOfRangeException(nameof(modality), modality, "Unknown gate modality."),
    };
}
