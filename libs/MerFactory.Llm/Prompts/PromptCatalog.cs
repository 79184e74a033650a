using System.Reflection;
using System.Text;
using System.Text.Json;

namespace MerFactory.Llm.Prompts;

/// <summary>The two synthesis tasks of MER-Factory (<c>--task</c>).</summary>
public enum SynthesisTask
{
    /// <summary>"MERR": emotional reasoning.</summary>
    Merr,
    /// <summary>"Sentiment Analysis".</summary>
    SentimentAnalysis,
}

/// <summary>Kinds of ShareGPT user-question pools (<c>user_questions.*</c>).</summary>
public enum QuestionPool { Mer, Image, Au, Audio, Video }

/// <summary>A prompt file is missing a key, has a bad template, or a template cannot be filled.</summary>
public sealed class PromptFormatException(string message) : Exception(message);

/// <summary>
/// MER-Factory's prompts file (spec §5.1–5.2): same keys and <c>str.format</c> placeholders, so users' existing
/// <c>--prompts-file</c> JSONs work. Every with-label template is filled with both <c>{label}</c>/<c>{ground_truth_label}</c>
/// and <c>{context}</c> (MER-Factory's KeyError cannot happen); unknown placeholders are rejected when the file is loaded.
/// </summary>
public sealed class PromptCatalog
{
    /// <summary>Placeholders a prompt file may use.</summary>
    public static readonly IReadOnlySet<string> KnownPlaceholders = new HashSet<string>(StringComparer.Ordinal) { "label", "context", "ground_truth_label", "au_text" };

    /// <summary>The concluding sentences exports and evaluation parse; the built-in prompts end with them verbatim.</summary>
    public static readonly IReadOnlyDictionary<string, string> RequiredConclusions = new Dictionary<string, string>
    {
        ["synthesis.MERR.without_label"] = "In conclusion, the core emotional state is [inferred core emotion], and the most likely cause is [hypothesis based on evidence].",
        ["synthesis.MERR.with_label"] = "Thus the emotion is: {ground_truth_label}",
        ["synthesis.Sentiment Analysis.without_label"] = "Therefore, the inferred sentiment is [Positive/Negative/Neutral], primarily driven by [the most influential factors].",
        ["synthesis.Sentiment Analysis.with_label"] = "Therefore, the sentiment is: {ground_truth_label}",
        ["image_synthesis.MERR.without_label"] = "In conclusion, the most likely emotional state is [inferred emotion], based on [key visual evidence].",
        ["image_synthesis.MERR.with_label"] = "Therefore, the emotion is: {ground_truth_label}",
        ["image_synthesis.Sentiment Analysis.without_label"] = "Therefore, the inferred sentiment is [Positive/Negative/Neutral], based on [key visual evidence].",
        ["image_synthesis.Sentiment Analysis.with_label"] = "Therefore, the sentiment is: {ground_truth_label}",
    };

    private static readonly string[] TemplateKeys =
    [
        "facial_expression_description",
        "image_description.without_label", "image_description.with_label",
        "audio_analysis.without_label", "audio_analysis.with_label",
        "video_description.without_label", "video_description.with_label",
        .. RequiredConclusions.Keys,
    ];

    private readonly Dictionary<string, string> _templates;
    private readonly Dictionary<QuestionPool, IReadOnlyList<string>> _questions;

    private PromptCatalog(string source, Dictionary<string, string> templates, Dictionary<QuestionPool, IReadOnlyList<string>> questions)
    {
        Source = source;
        _templates = templates;
        _questions = questions;
    }

    /// <summary>Where the prompts came from (file path or "built-in").</summary>
    public string Source { get; }

    /// <summary>SHA-256 of the templates, to record which prompt version produced a dataset.</summary>
    public string Version => Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(
        Encoding.UTF8.GetBytes(string.Join("\u0001", _templates.OrderBy(t => t.Key, StringComparer.Ordinal).Select(t => t.Key + "\u0002" + t.Value)))))[..16];

    /// <summary>Loads <paramref name="path"/> (MER-Factory's <c>--prompts-file</c>), or the built-in prompts when null.</summary>
    public static PromptCatalog Load(string? path = null)
    {
        if (path is null)
        {
            using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream("MerFactory.Llm.default-prompts.json")
                ?? throw new InvalidOperationException("Built-in prompts resource is missing from MerFactory.Llm.");
            return Parse(stream, "built-in");
        }
        if (!File.Exists(path)) throw new FileNotFoundException($"Prompts file '{path}' does not exist.", path);
        using var file = File.OpenRead(path);
        return Parse(file, path);
    }

    public static PromptCatalog Parse(Stream json, string source)
    {
        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(json, new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
        }
        catch (JsonException ex)
        {
            throw new PromptFormatException($"Prompts file '{source}' is not valid JSON: {ex.Message}");
        }
        using (doc)
        {
            var templates = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var key in TemplateKeys)
            {
                var node = Navigate(doc.RootElement, key);
                if (node is not { ValueKind: JsonValueKind.String })
                    throw new PromptFormatException($"Prompts file '{source}': key '{key}' is missing or not a string.");
                var template = node.Value.GetString()!;
                foreach (var placeholder in Placeholders(template, key, source))
                {
                    if (!KnownPlaceholders.Contains(placeholder))
                        throw new PromptFormatException($"Prompts file '{source}': template '{key}' uses unknown placeholder '{{{placeholder}}}' (known: {{{string.Join("}, {", KnownPlaceholders)}}}).");
                }
                templates[key] = template;
            }

            var questions = new Dictionary<QuestionPool, IReadOnlyList<string>>();
            if (doc.RootElement.TryGetProperty("user_questions", out var pools) && pools.ValueKind == JsonValueKind.Object)
            {
                foreach (var pool in Enum.GetValues<QuestionPool>())
                {
                    if (pools.TryGetProperty(pool.ToString().ToLowerInvariant(), out var list) && list.ValueKind == JsonValueKind.Array)
                        questions[pool] = list.EnumerateArray().Where(q => q.ValueKind == JsonValueKind.String).Select(q => q.GetString()!).ToList();
                }
            }
            return new PromptCatalog(source, templates, questions);
        }
    }

    public string Template(string key) => _templates.TryGetValue(key, out var t) ? t
        : throw new PromptFormatException($"Prompts '{Source}' have no template '{key}'.");

    public string FacialExpression(string auText) => Format("facial_expression_description", new() { ["au_text"] = auText });

    public string ImageDescription(string? label = null) => Labelled("image_description", label);

    public string AudioAnalysis(string? label = null) => Labelled("audio_analysis", label);

    public string VideoDescription(string? label = null) => Labelled("video_description", label);

    /// <summary>MER synthesis prompt; <paramref name="context"/> from <see cref="ClueContext.ForMer"/>.</summary>
    public string Synthesis(SynthesisTask task, string context, string? label = null) => Synthesis("synthesis", task, context, label);

    /// <summary>Image synthesis prompt; <paramref name="context"/> from <see cref="ClueContext.ForImage"/>.</summary>
    public string ImageSynthesis(SynthesisTask task, string context, string? label = null) => Synthesis("image_synthesis", task, context, label);

    /// <summary>ShareGPT instruction pool (empty when the file has none).</summary>
    public IReadOnlyList<string> UserQuestions(QuestionPool pool) => _questions.GetValueOrDefault(pool) ?? [];

    public static string TaskKey(SynthesisTask task) => task == SynthesisTask.Merr ? "MERR" : "Sentiment Analysis";

    public static SynthesisTask ParseTask(string text) => text.Trim().ToLowerInvariant() switch
    {
        "merr" => SynthesisTask.Merr,
        "sentiment analysis" or "sentiment-analysis" or "sentimentanalysis" => SynthesisTask.SentimentAnalysis,
        _ => throw new ArgumentException($"Unknown task '{text}'; expected 'MERR' or 'Sentiment Analysis'."),
    };

    private string Synthesis(string root, SynthesisTask task, string context, string? label)
    {
        var key = $"{root}.{TaskKey(task)}.{(HasLabel(label) ? "with_label" : "without_label")}";
        return Format(key, new() { ["context"] = context, ["label"] = label, ["ground_truth_label"] = label });
    }

    private string Labelled(string root, string? label) =>
        Format($"{root}.{(HasLabel(label) ? "with_label" : "without_label")}", new() { ["label"] = label, ["ground_truth_label"] = label });

    private static bool HasLabel(string? label) => !string.IsNullOrWhiteSpace(label);

    /// <summary>Python <c>str.format</c> semantics for named fields: <c>{name}</c> substituted, <c>{{</c>/<c>}}</c> literal braces.</summary>
    public string Format(string key, Dictionary<string, string?> values)
    {
        var template = Template(key);
        var output = new StringBuilder(template.Length + 256);
        for (var i = 0; i < template.Length; i++)
        {
            var c = template[i];
            if (c == '{' && i + 1 < template.Length && template[i + 1] == '{') { output.Append('{'); i++; continue; }
            if (c == '}' && i + 1 < template.Length && template[i + 1] == '}') { output.Append('}'); i++; continue; }
            if (c == '{')
            {
                var end = template.IndexOf('}', i + 1);
                var name = template[(i + 1)..end];
                if (!values.TryGetValue(name, out var value) || value is null)
                    throw new PromptFormatException($"Prompt '{key}' ({Source}) needs {{{name}}}, which this step does not provide{(name is "label" or "ground_truth_label" ? " (no label was given)" : "")}.");
                output.Append(value);
                i = end;
                continue;
            }
            output.Append(c);
        }
        return output.ToString();
    }

    private static IEnumerable<string> Placeholders(string template, string key, string source)
    {
        var found = new List<string>();
        for (var i = 0; i < template.Length; i++)
        {
            var c = template[i];
            if ((c == '{' || c == '}') && i + 1 < template.Length && template[i + 1] == c) { i++; continue; }
            if (c == '}') throw new PromptFormatException($"Prompts file '{source}': template '{key}' has a lone '}}' at {i}; write '}}}}' for a literal brace.");
            if (c != '{') continue;
            var end = template.IndexOf('}', i + 1);
            if (end < 0) throw new PromptFormatException($"Prompts file '{source}': template '{key}' has an unclosed '{{' at {i}; write '{{{{' for a literal brace.");
            var name = template[(i + 1)..end];
            if (name.Length == 0 || name.Any(ch => !(char.IsLetterOrDigit(ch) || ch == '_')))
                throw new PromptFormatException($"Prompts file '{source}': template '{key}' has an invalid placeholder '{{{name}}}' (only named fields such as {{label}} are supported).");
            found.Add(name);
            i = end;
        }
        return found;
    }

    private static JsonElement? Navigate(JsonElement root, string dottedKey)
    {
        // Keys contain a space ("Sentiment Analysis") but never a dot, so a dot split is safe.
        var current = root;
        foreach (var part in dottedKey.Split('.'))
        {
            if (current.ValueKind != JsonValueKind.Object || !current.TryGetProperty(part, out var next)) return null;
            current = next;
        }
        return current;
    }
}
