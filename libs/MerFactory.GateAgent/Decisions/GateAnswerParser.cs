using System.Text.Json;
using System.Text.RegularExpressions;

namespace MerFactory.GateAgent.Decisions;

/// <summary>
/// Finds the JSON in a model answer as MER-Factory does (a ```json block, else the first ``` block, else the raw text,
/// and then the outermost braces as a last resort) and validates it against the answer schema
/// (<see cref="GateAnswerSchema"/>), reporting every problem at once so one corrective message can fix them all.
/// </summary>
internal static partial class GateAnswerParser
{
    public const string ToolUseAction = "tool_use";
    public const string FinalDecisionAction = "final_decision";

    private static readonly JsonDocumentOptions Options = new()
    {
        AllowTrailingCommas = true,
        CommentHandling = JsonCommentHandling.Skip,
        MaxDepth = 16,
    };

    public static GateAnswer Parse(string? answer, GateAnswerRules rules)
    {
        var text = answer ?? "";
        if (string.IsNullOrWhiteSpace(text)) return Invalid("The answer was empty; it must be one JSON object.");
        var candidate = ExtractJson(text);
        if (!TryParseDocument(candidate, out var document, out var parseError)
            && !TryParseDocument(OutermostBraces(candidate), out document, out _)
            && !TryParseDocument(OutermostBraces(text), out document, out _))
        {
            return Invalid($"The answer is not valid JSON ({parseError}).");
        }

        using (document)
        {
            return Validate(document!.RootElement, rules);
        }
    }

    /// <summary>The text of the ```json block, else of the first ``` block, else the whole answer, trimmed.</summary>
    internal static string ExtractJson(string text)
    {
        var json = JsonFence().Match(text);
        if (json.Success) return json.Groups[1].Value.Trim();
        var any = AnyFence().Match(text);
        return any.Success ? any.Groups[1].Value.Trim() : text.Trim();
    }

    private static GateAnswer Validate(JsonElement root, GateAnswerRules rules)
    {
        if (root.ValueKind != JsonValueKind.Object) return Invalid("The JSON must be an object with an \"action\" field.");
        if (!root.TryGetProperty("action", out var action))
        {
            // MER-Factory's legacy form: the evaluation object on its own.
            return GateModalities.All.Any(m => root.TryGetProperty(m.Key(), out _))
                ? ValidateEvaluation(root, rules)
                : Invalid($"\"action\" is missing; it must be \"{ToolUseAction}\" or \"{FinalDecisionAction}\".");
        }

        if (action.ValueKind != JsonValueKind.String)
            return Invalid($"\"action\" must be the string \"{ToolUseAction}\" or \"{FinalDecisionAction}\".");
        return action.GetString()!.Trim() switch
        {
            ToolUseAction => ValidateToolUse(root, rules),
            FinalDecisionAction => root.TryGetProperty("evaluation", out var evaluation) && evaluation.ValueKind == JsonValueKind.Object
                ? ValidateEvaluation(evaluation, rules)
                : Invalid($"\"evaluation\" must be an object with an entry for each of: {Keys(rules.Required)}."),
            var other => Invalid($"\"action\" must be \"{ToolUseAction}\" or \"{FinalDecisionAction}\", not \"{Clip(other)}\"."),
        };
    }

    private static GateAnswer ValidateToolUse(JsonElement root, GateAnswerRules rules)
    {
        var problems = new List<string>();
        string? tool = null;
        if (!root.TryGetProperty("tool", out var toolElement) || toolElement.ValueKind != JsonValueKind.String || string.IsNullOrWhiteSpace(toolElement.GetString()))
        {
            problems.Add($"\"tool\" must name one of the available tools: {ToolList(rules)}.");
        }
        else
        {
            tool = toolElement.GetString()!.Trim();
            if (!rules.ToolNames.Contains(tool, StringComparer.Ordinal))
                problems.Add($"unknown tool \"{Clip(tool)}\"; available tools: {ToolList(rules)}. There is no shell and no code execution.");
        }

        var arguments = default(JsonElement);
        if (root.TryGetProperty("arguments", out var given))
        {
            switch (given.ValueKind)
            {
                case JsonValueKind.Object:
                    arguments = given.Clone();
                    break;
                case JsonValueKind.Null:
                    break;
                case JsonValueKind.String when string.IsNullOrWhiteSpace(given.GetString()):
                    break;
                // MER-Factory's schema had "arguments" as a string; accept a string that holds a JSON object.
                case JsonValueKind.String when TryParseObject(given.GetString()!, out var fromString):
                    arguments = fromString;
                    break;
                default:
                    problems.Add("\"arguments\" must be a JSON object of the tool's arguments, e.g. {} or {\"time\": 2.5}.");
                    break;
            }
        }

        return problems.Count > 0 ? new InvalidAnswer(problems) : new ToolUseAnswer(tool!, arguments);
    }

    private static GateAnswer ValidateEvaluation(JsonElement evaluation, GateAnswerRules rules)
    {
        var problems = new List<string>();
        var verdicts = new Dictionary<GateModality, ModalityVerdict>();
        foreach (var modality in rules.Required)
        {
            var key = modality.Key();
            if (!evaluation.TryGetProperty(key, out var entry))
            {
                problems.Add($"evaluation.{key} is missing.");
                continue;
            }

            if (entry.ValueKind != JsonValueKind.Object)
            {
                problems.Add($"evaluation.{key} must be an object {{\"status\": \"pass\"|\"fail\", \"reason\": \"…\"}}.");
                continue;
            }

            bool? passed = null;
            if (entry.TryGetProperty("status", out var status) && status.ValueKind == JsonValueKind.String)
            {
                // Case and spaces are not worth a turn; any other value is.
                passed = status.GetString()!.Trim().ToLowerInvariant() switch
                {
                    "pass" => true,
                    "fail" => false,
                    _ => null,
                };
            }

            if (passed is null) problems.Add($"evaluation.{key}.status must be \"pass\" or \"fail\".");
            var reason = entry.TryGetProperty("reason", out var reasonElement) && reasonElement.ValueKind == JsonValueKind.String
                ? reasonElement.GetString()!.Trim()
                : "";
            if (reason.Length == 0) problems.Add($"evaluation.{key}.reason must be a non-empty string explaining the decision.");
            if (passed is { } value && reason.Length > 0) verdicts[modality] = new ModalityVerdict(value, reason);
        }

        return problems.Count > 0 ? new InvalidAnswer(problems) : new FinalDecisionAnswer(verdicts);
    }

    private static bool TryParseObject(string text, out JsonElement value)
    {
        value = default;
        if (!TryParseDocument(text, out var document, out _)) return false;
        using (document)
        {
            if (document!.RootElement.ValueKind != JsonValueKind.Object) return false;
            value = document.RootElement.Clone();
            return true;
        }
    }

    private static bool TryParseDocument(string text, out JsonDocument? document, out string error)
    {
        document = null;
        error = "";
        if (string.IsNullOrWhiteSpace(text))
        {
            error = "no JSON found";
            return false;
        }

        try
        {
            document = JsonDocument.Parse(text, Options);
            return true;
        }
        catch (JsonException exception)
        {
            error = exception.Message;
            return false;
        }
    }

    private static string OutermostBraces(string text)
    {
        var start = text.IndexOf('{');
        var end = text.LastIndexOf('}');
        return start >= 0 && end > start ? text[start..(end + 1)] : "";
    }

    private static InvalidAnswer Invalid(string problem) => new([problem]);

    private static string Keys(IEnumerable<GateModality> modalities) => string.Join(", ", modalities.Select(m => m.Key()));

    private static string ToolList(GateAnswerRules rules) => rules.ToolNames.Count == 0 ? "none" : string.Join(", ", rules.ToolNames);

    private static string Clip(string text) => text.Length <= 40 ? text : text[..40] + "…";

    [GeneratedRegex(@"```\s*json\s*(.*?)```", RegexOptions.Singleline | RegexOptions.IgnoreCase)]
    private static partial Regex JsonFence();

    [GeneratedRegex(@"```[^\n`]*\n?(.*?)```", RegexOptions.Singleline)]
    private static partial Regex AnyFence();
}
