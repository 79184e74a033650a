using System.Text.Json;
using MerFactory.Evaluation.Text;

namespace MerFactory.Evaluation.Lexicon;

/// <summary>A base emotion group of the lexicon: its wheel category and valence.</summary>
public sealed record EmotionGroup(string Name, string Wheel, string Valence);

/// <summary>
/// The documented emotion lexicon (<c>Lexicon/emotion-lexicon.json</c>): word form → base emotion group → wheel category
/// and valence, as MER-UniBench maps free-form emotion words before comparing sets. The groups are MER-Factory's eight
/// FACS emotions plus neutral, so FACS peaks, labels and LLM text compare in one space.
/// </summary>
public sealed class EmotionLexicon
{
    private readonly Dictionary<string, EmotionGroup> _forms;

    private EmotionLexicon(Dictionary<string, EmotionGroup> forms, IReadOnlyDictionary<string, EmotionGroup> groups)
    {
        _forms = forms;
        Groups = groups;
    }

    public static EmotionLexicon Default { get; } = Load();

    public IReadOnlyDictionary<string, EmotionGroup> Groups { get; }

    public int FormCount => _forms.Count;

    /// <summary>The group of one word (any case), or null when it is no emotion word.</summary>
    public EmotionGroup? Lookup(string word) => _forms.GetValueOrDefault(word.Trim().ToLowerInvariant());

    /// <summary>The group of a label or a short phrase ("Happy", "mildly annoyed"): its first emotion word.</summary>
    public EmotionGroup? LookupPhrase(string phrase) => TextTokens.Tokenize(phrase).Select(t => Lookup(t.Word)).FirstOrDefault(g => g is not null);

    /// <summary>The emotion groups a text asserts; negated words ("not angry") do not count.</summary>
    public IReadOnlySet<string> GroupsIn(string text)
    {
        var tokens = TextTokens.Tokenize(text);
        var found = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < tokens.Count; i++)
        {
            if (_forms.TryGetValue(tokens[i].Word, out var group) && !TextTokens.IsNegated(tokens, i)) found.Add(group.Name);
        }
        return found;
    }

    private static EmotionLexicon Load()
    {
        using var stream = typeof(EmotionLexicon).Assembly.GetManifestResourceStream("MerFactory.Evaluation.emotion-lexicon.json")
            ?? throw new InvalidOperationException("The emotion lexicon resource is missing from the assembly.");
        using var document = JsonDocument.Parse(stream);
        var forms = new Dictionary<string, EmotionGroup>(StringComparer.Ordinal);
        var groups = new Dictionary<string, EmotionGroup>(StringComparer.Ordinal);
        foreach (var entry in document.RootElement.GetProperty("groups").EnumerateObject())
        {
            var group = new EmotionGroup(entry.Name, entry.Value.GetProperty("wheel").GetString()!, entry.Value.GetProperty("valence").GetString()!);
            groups[entry.Name] = group;
            forms[entry.Name] = group;
            foreach (var form in entry.Value.GetProperty("forms").EnumerateArray()) forms[form.GetString()!] = group;
        }
        return new EmotionLexicon(forms, groups);
    }
}
