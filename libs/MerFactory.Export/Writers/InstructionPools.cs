using System.Text;
using System.Text.Json;

namespace MerFactory.Export.Writers;

/// <summary>
/// The user-turn instructions of ShareGPT export: the <c>user_questions.{type}</c> lists of a prompts file (spec §5.2),
/// by default MER-Factory's own pools from the built-in prompts; a type no pool covers gets one fixed instruction
/// (spec §8.4). Choice is a hash of seed and record id,
/// so an export is reproducible and a record gets the same instruction whatever else is exported with it.
/// </summary>
public sealed class InstructionPools
{
    private static readonly IReadOnlyDictionary<ExportFileType, IReadOnlyList<string>> Defaults = new Dictionary<ExportFileType, IReadOnlyList<string>>
    {
        [ExportFileType.Mer] = ["Provide a comprehensive multi-modal emotion recognition summary."],
        [ExportFileType.Video] = ["Summarize the content of the video."],
        [ExportFileType.Audio] = ["Provide an analysis of the audio."],
        [ExportFileType.Image] = ["Provide a detailed analysis of the image."],
        [ExportFileType.Au] = ["Describe the chronological emotion peaks from the analysis."],
    };

    private readonly IReadOnlyDictionary<ExportFileType, IReadOnlyList<string>> _pools;

    private InstructionPools(IReadOnlyDictionary<ExportFileType, IReadOnlyList<string>> pools, string origin)
    {
        _pools = pools;
        Origin = origin;
    }

    /// <summary>MER-Factory's question pools, from the built-in prompts (the file <c>--prompts-file</c> replaces in <c>process</c>).</summary>
    public static InstructionPools BuiltIn { get; } = LoadBuiltIn();

    private static InstructionPools LoadBuiltIn()
    {
        using var stream = typeof(InstructionPools).Assembly.GetManifestResourceStream("MerFactory.Export.default-prompts.json")
            ?? throw new InvalidOperationException("The built-in prompts resource is missing from MerFactory.Export.");
        return Parse(stream, "built-in");
    }

    /// <summary>"built-in" or the prompts file the pools came from.</summary>
    public string Origin { get; }

    public IReadOnlyList<string> Pool(ExportFileType type) => _pools[type];

    /// <summary>
    /// Reads only <c>user_questions</c> from a MER-Factory prompts file; types it lacks keep the built-in pool.
    /// Throws naming the file when it is missing or not JSON, or when <c>user_questions</c> has the wrong shape.
    /// </summary>
    public static InstructionPools Load(string promptFile)
    {
        var path = Path.GetFullPath(promptFile);
        if (!File.Exists(path)) throw new FileNotFoundException($"Prompt file '{path}' does not exist.", path);
        using var stream = File.OpenRead(path);
        return Parse(stream, path);
    }

    private static InstructionPools Parse(Stream stream, string path)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(stream, new JsonDocumentOptions { AllowTrailingCommas = true, CommentHandling = JsonCommentHandling.Skip });
        }
        catch (JsonException ex)
        {
            throw new InvalidDataException($"Prompt file '{path}' is not valid JSON: {ex.Message}", ex);
        }
        using (document)
        {
            // A prompts file without (some) user_questions keeps MER-Factory's pools for what it lacks.
            var pools = new Dictionary<ExportFileType, IReadOnlyList<string>>(path == "built-in" ? Defaults : BuiltIn._pools);
            if (document.RootElement.ValueKind != JsonValueKind.Object
                || !document.RootElement.TryGetProperty("user_questions", out var questions))
            {
                return new InstructionPools(pools, $"{path} (no user_questions: built-in pools)");
            }
            if (questions.ValueKind != JsonValueKind.Object)
                throw new InvalidDataException($"Prompt file '{path}': 'user_questions' must be an object of lists, found {questions.ValueKind}.");
            foreach (var property in questions.EnumerateObject())
            {
                if (!ExportFileTypes.TryParse(property.Name, out var type)) continue;
                // The dashboard of MER-Factory saves arrays as {"0": "...", "1": "..."} objects (spec §9.2); accept both.
                var items = property.Value.ValueKind switch
                {
                    JsonValueKind.Array => property.Value.EnumerateArray().ToList(),
                    JsonValueKind.Object => property.Value.EnumerateObject().Select(p => p.Value).ToList(),
                    JsonValueKind.String => [property.Value],
                    _ => throw new InvalidDataException($"Prompt file '{path}': user_questions.{property.Name} must be a list of strings."),
                };
                var texts = items.Where(i => i.ValueKind == JsonValueKind.String).Select(i => i.GetString()!.Trim()).Where(t => t.Length > 0).ToList();
                if (texts.Count > 0) pools[type] = texts;
            }
            return new InstructionPools(pools, path);
        }
    }

    /// <summary>The instruction for <paramref name="recordId"/>: stable for a given seed.</summary>
    public string Pick(ExportFileType type, string recordId, int seed)
    {
        var pool = _pools[type];
        if (pool.Count == 1) return pool[0];
        return pool[(int)(Fnv1a($"{seed}\u001f{type.Name()}\u001f{recordId}") % (ulong)pool.Count)];
    }

    // FNV-1a: string.GetHashCode is randomised per process, which would defeat reproducibility.
    private static ulong Fnv1a(string text)
    {
        var hash = 14695981039346656037UL;
        foreach (var b in Encoding.UTF8.GetBytes(text))
        {
            hash ^= b;
            hash *= 1099511628211UL;
        }
        // Mix the high bits down so a small modulus still sees them.
        hash ^= hash >> 33;
        hash *= 0xff51afd7ed558ccdUL;
        hash ^= hash >> 33;
        return hash;
    }
}
