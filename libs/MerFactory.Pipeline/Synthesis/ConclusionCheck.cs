namespace MerFactory.Pipeline.Synthesis;

/// <summary>
/// The concluding sentence each synthesis prompt demands (spec §5.2). Exports and evaluation parse it, so the pipeline
/// checks the answer and asks once more when it is missing instead of saving a summary that tooling cannot read.
/// </summary>
public static class ConclusionCheck
{
    /// <summary>The fixed part of the required ending: the full sentence with a label, the text before the first bracket without.</summary>
    public static string RequiredEnding(bool isImage, bool sentiment, string? label) => (isImage, sentiment, HasLabel(label)) switch
    {
        (false, false, true) => $"Thus the emotion is: {label}",
        (false, true, true) => $"Therefore, the sentiment is: {label}",
        (true, false, true) => $"Therefore, the emotion is: {label}",
        (true, true, true) => $"Therefore, the sentiment is: {label}",
        (false, false, false) => "In conclusion, the core emotional state is ",
        (false, true, false) => "Therefore, the inferred sentiment is ",
        (true, false, false) => "In conclusion, the most likely emotional state is ",
        (true, true, false) => "Therefore, the inferred sentiment is ",
    };

    /// <summary>True when the last sentence of <paramref name="summary"/> is the required one.</summary>
    public static bool EndsAsRequired(string summary, bool isImage, bool sentiment, string? label)
    {
        var text = summary.TrimEnd().TrimEnd('"', '\u201d', '*').TrimEnd();
        var ending = RequiredEnding(isImage, sentiment, label);
        if (HasLabel(label))
        {
            // The label sentence may close with a full stop; nothing else may follow it.
            var trimmed = text.EndsWith('.') && !ending.EndsWith('.') ? text[..^1] : text;
            return trimmed.EndsWith(ending, StringComparison.OrdinalIgnoreCase);
        }
        var start = text.LastIndexOf(ending, StringComparison.OrdinalIgnoreCase);
        if (start < 0) return false;
        // The sentence that starts there must be the last one and filled in (no "[...]" left).
        var tail = text[(start + ending.Length)..];
        return tail.Length > 0 && !tail.Contains('[', StringComparison.Ordinal) && tail.IndexOfAny(['\n']) < 0;
    }

    /// <summary>The follow-up request when the first answer lacks the ending.</summary>
    public static string RepairPrompt(string originalPrompt, string answer, bool isImage, bool sentiment, string? label)
    {
        var ending = RequiredEnding(isImage, sentiment, label);
        var instruction = HasLabel(label)
            ? $"end with exactly this sentence: \"{ending}\""
            : $"end with one sentence that begins \"{ending.TrimEnd()}\" and fills in every bracket of the required concluding sentence";
        return $"{originalPrompt}\n\nA previous answer to these instructions did not end with the required concluding sentence:\n---\n{answer}\n---\n"
            + $"Rewrite it as one passage that keeps the same reasoning and evidence, adds nothing new, and {instruction}.";
    }

    private static bool HasLabel(string? label) => !string.IsNullOrWhiteSpace(label);
}
