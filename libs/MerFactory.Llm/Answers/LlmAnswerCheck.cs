using System.Text.Json;
using System.Text.RegularExpressions;

namespace MerFactory.Llm.Answers;

/// <summary>
/// What an answer must pass before it may enter a dataset. Bound from <c>LlmGateway:Answers</c>; the patterns are
/// matched against the start of the answer only, so a description that merely mentions "error" is kept.
/// </summary>
public sealed class LlmAnswerOptions
{
    /// <summary>Longest answer accepted per step (characters); a longer one is a failed attempt, never stored or sent on.</summary>
    public int MaxChars { get; set; } = 32 * 1024;

    /// <summary>How far into the answer the error and refusal patterns look.</summary>
    public int PatternWindowChars { get; set; } = 240;

    /// <summary>Error text servers put in a 200 (regular expressions, case-insensitive, anchored at the start).</summary>
    public List<string> ErrorPatterns { get; set; } =
    [
        @"error\s*[:\-]", @"\[?error\]", @"an? (unexpected |internal )?error (has )?occurred", @"internal server error", @"service unavailable",
        @"bad gateway", @"gateway time-?out", @"(the )?model (is )?(currently )?overloaded", @"rate limit(ed)? (exceeded|reached)", @"too many requests",
        @"traceback \(most recent call last\)", @"exception:", @"cuda out of memory", @"request timed out", @"upstream (connect )?error",
    ];

    /// <summary>Refusals: the model declined to describe the input (regular expressions, case-insensitive, anchored at the start).</summary>
    public List<string> RefusalPatterns { get; set; } =
    [
        @"i'?m sorry,? (but )?i (can(not|'t)|am unable|'m unable|won'?t)", @"i (can(not|'t)|am unable to|'m unable to|won'?t) (help|assist|comply|provide|analy[sz]e|describe|process|view|see)",
        @"sorry,? i can(not|'t)", @"as an ai( language model)?,? i (can(not|'t)|am (not able|unable))", @"i apologi[sz]e,? but i (can(not|'t)|am unable)",
    ];
}

/// <summary>Decides whether a model's answer is usable text; pure, thread-safe.</summary>
public sealed class LlmAnswerCheck
{
    private readonly LlmAnswerOptions _options;
    private readonly Regex _error;
    private readonly Regex _refusal;

    public LlmAnswerCheck(LlmAnswerOptions? options = null)
    {
        _options = options ?? new LlmAnswerOptions();
        _error = Anchored(_options.ErrorPatterns);
        _refusal = Anchored(_options.RefusalPatterns);
    }

    public int MaxChars => _options.MaxChars;

    /// <summary>Null when the answer is usable; otherwise why it is not (for the step's failure message, never for the dataset).</summary>
    public string? Problem(string? text)
    {
        if (string.IsNullOrWhiteSpace(text)) return "the model returned no text";
        if (text.Length > _options.MaxChars) return $"the answer is {text.Length} characters, over the cap of {_options.MaxChars} (LlmGateway:Answers:MaxChars)";
        var head = text.TrimStart(' ', '\t', '\r', '\n', '"', '\'', '`', '*', '#', '>');
        if (head.Length > _options.PatternWindowChars) head = head[.._options.PatternWindowChars];
        if (ProviderErrorPayload(text) is { } payload) return $"the answer is a provider error payload ({payload})";
        if (_error.IsMatch(head)) return $"the answer is an error message: \"{Quote(head)}\"";
        if (_refusal.IsMatch(head)) return $"the model refused: \"{Quote(head)}\"";
        return null;
    }

    /// <summary>An answer that is itself an error document, e.g. <c>{"error":{"message":"overloaded"}}</c> or <c>{"detail":"..."}</c>.</summary>
    private static string? ProviderErrorPayload(string text)
    {
        var trimmed = text.Trim();
        if (trimmed.Length < 2 || trimmed[0] != '{' || trimmed[^1] != '}') return null;
        try
        {
            using var document = JsonDocument.Parse(trimmed);
            var root = document.RootElement;
            foreach (var key in new[] { "error", "detail", "error_message", "errorMessage" })
            {
                if (root.TryGetProperty(key, out var value) && value.ValueKind is JsonValueKind.String or JsonValueKind.Object)
                    return Quote(value.ToString());
            }
            return null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static Regex Anchored(IReadOnlyCollection<string> patterns) => patterns.Count == 0
        ? new Regex("(?!)") // no patterns configured: never matches
        : new($"^(?:{string.Join("|", patterns.Select(p => $"(?:{p})"))})", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1));

    private static string Quote(string text) => text.Length <= 80 ? text.ReplaceLineEndings(" ") : text[..80].ReplaceLineEndings(" ") + "…";
}
