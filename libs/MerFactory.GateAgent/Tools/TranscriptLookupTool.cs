using System.Globalization;

namespace MerFactory.GateAgent.Tools;

/// <summary>The speech transcript: all of it, or the words (or segments, without word timings) in a time range.</summary>
public sealed class TranscriptLookupTool : IGateTool
{
    public const string ToolName = "transcript_lookup";

    internal const int MaxChars = 2000;

    public string Name => ToolName;

    public string Description =>
        "Returns the speech transcript from the speech recogniser. Without arguments: the whole text. With \"start\" and/or "
        + "\"end\" (seconds): what was said in that time range. Use it to check quoted speech and the speech content "
        + "claimed by the audio analysis.";

    public IReadOnlyList<GateToolParameter> Parameters { get; } =
    [
        new("start", GateParameterType.Number, "range start in seconds; default 0") { Minimum = 0, Maximum = 86400 },
        new("end", GateParameterType.Number, "range end in seconds; default the end of the transcript") { Minimum = 0, Maximum = 86400 },
    ];

    public bool IsAvailable(GateToolContext context) =>
        !string.IsNullOrWhiteSpace(context.Input.TranscriptText) || context.Input.TranscriptSegments.Count > 0;

    public Task<string> RunAsync(GateToolArguments arguments, GateToolContext context, CancellationToken cancellationToken)
    {
        var start = arguments.GetNumber("start");
        var end = arguments.GetNumber("end");
        var segments = context.Input.TranscriptSegments;
        if (start is null && end is null) return Task.FromResult(FullText(context.Input));
        if (segments.Count == 0)
            return Task.FromResult("ERROR: this transcript has no timings; call transcript_lookup without start/end for the whole text.");

        var from = start ?? 0;
        var to = end ?? segments.Max(s => s.End);
        if (to <= from)
            return Task.FromResult($"ERROR: \"end\" ({Seconds(to)} s) must be after \"start\" ({Seconds(from)} s).");

        var spoken = new List<string>();
        foreach (var segment in segments.OrderBy(s => s.Start))
        {
            if (segment.Words is { Count: > 0 } words)
            {
                spoken.AddRange(words.Where(w => w.End > from && w.Start < to).OrderBy(w => w.Start).Select(w => w.Text.Trim()));
            }
            else if (segment.End > from && segment.Start < to)
            {
                // Without word timings the whole overlapping segment is the best answer; its times say so.
                spoken.Add($"[{Seconds(segment.Start)}-{Seconds(segment.End)} s] {segment.Text.Trim()}");
            }
        }

        var text = string.Join(" ", spoken.Where(w => w.Length > 0));
        return Task.FromResult(text.Length == 0
            ? $"No speech in the transcript between {Seconds(from)} s and {Seconds(to)} s."
            : $"Transcript between {Seconds(from)} s and {Seconds(to)} s: {Quote(text)}");
    }

    private static string FullText(GateInput input)
    {
        var text = !string.IsNullOrWhiteSpace(input.TranscriptText)
            ? input.TranscriptText.Trim()
            : string.Join(" ", input.TranscriptSegments.OrderBy(s => s.Start).Select(s => s.Text.Trim()).Where(t => t.Length > 0));
        return text.Length == 0 ? "The transcript is empty: no speech was recognised." : $"Transcript: {Quote(text)}";
    }

    private static string Quote(string text) =>
        text.Length <= MaxChars ? $"\"{text}\"" : $"\"{text[..MaxChars]}…\" [truncated: {text.Length - MaxChars} more characters]";

    private static string Seconds(double value) => value.ToString("0.00", CultureInfo.InvariantCulture);
}
