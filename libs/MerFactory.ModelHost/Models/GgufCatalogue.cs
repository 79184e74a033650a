namespace MerFactory.ModelHost.Models;

/// <summary>One file in a Hugging Face repository, fetched through <c>{hub}/{Repo}/resolve/{Revision}/{File}</c>.</summary>
public sealed record HubFile(string Repo, string File, string Revision = "main");

/// <summary>What a model id maps to: the GGUF (or Whisper ggml) file, the mmproj that gives it images/audio, and a note.</summary>
public sealed record CatalogueEntry(string Id, HubFile Model, HubFile? Projector, string Takes, string Note);

/// <summary>
/// MER-Factory's Hugging Face model ids (spec §6.5) mapped to GGUF files for llama.cpp's mtmd. None of these could be
/// downloaded on the build machine (no hub access): the repositories and file names follow llama.cpp's multimodal
/// documentation and the ggml-org/unsloth model cards, and are marked unverified until someone runs them.
/// </summary>
public static class GgufCatalogue
{
    public static readonly IReadOnlyList<CatalogueEntry> Entries =
    [
        new("google/gemma-3n-E4B-it", new("ggml-org/gemma-3n-E4B-it-GGUF", "gemma-3n-E4B-it-Q8_0.gguf"), null, "text",
            "unverified; llama.cpp runs Gemma 3n as text only (no mmproj published): image/audio steps report 'modality not supported'"),
        new("google/gemma-3n-E2B-it", new("ggml-org/gemma-3n-E2B-it-GGUF", "gemma-3n-E2B-it-Q8_0.gguf"), null, "text", "unverified; text only, as above"),
        new("Qwen/Qwen2.5-Omni-7B", new("ggml-org/Qwen2.5-Omni-7B-GGUF", "Qwen2.5-Omni-7B-Q4_K_M.gguf"), new("ggml-org/Qwen2.5-Omni-7B-GGUF", "mmproj-Qwen2.5-Omni-7B-Q8_0.gguf"),
            "text,image,audio,video", "unverified; listed in llama.cpp docs/multimodal.md (image + audio)"),
        new("Qwen/Qwen2.5-Omni-3B", new("ggml-org/Qwen2.5-Omni-3B-GGUF", "Qwen2.5-Omni-3B-Q4_K_M.gguf"), new("ggml-org/Qwen2.5-Omni-3B-GGUF", "mmproj-Qwen2.5-Omni-3B-Q8_0.gguf"),
            "text,image,audio,video", "unverified; listed in llama.cpp docs/multimodal.md (image + audio)"),
        new("google/gemma-3-4b-it", new("ggml-org/gemma-3-4b-it-GGUF", "gemma-3-4b-it-Q4_K_M.gguf"), new("ggml-org/gemma-3-4b-it-GGUF", "mmproj-model-f16.gguf"),
            "text,image,video", "unverified; llama.cpp's documented vision example (not a MER-Factory id; a vision stand-in for Gemma 3n)"),
        new("openai/whisper-base", new("ggerganov/whisper.cpp", "ggml-base.bin"), null, "transcription", "unverified download; the same file `merfactory models install whisper-base` installs (SHA-1 checked)"),
        new("openai/whisper-small", new("ggerganov/whisper.cpp", "ggml-small.bin"), null, "transcription", "unverified download; whisper.cpp's ggml-small.bin"),
    ];

    /// <summary>MER-Factory ids with no llama.cpp port: the host says so instead of guessing a file.</summary>
    public static readonly IReadOnlyDictionary<string, string> Unsupported = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase)
    {
        ["Qwen/Qwen2-Audio-7B-Instruct"] = "llama.cpp has no Qwen2-Audio projector; use Qwen/Qwen2.5-Omni-3B or -7B for audio",
        ["zhifeixie/Audio-Reasoner"] = "a Qwen2-Audio fine-tune; llama.cpp cannot run it",
    };

    public static CatalogueEntry? Find(string id) => Entries.FirstOrDefault(e => string.Equals(e.Id, id, StringComparison.OrdinalIgnoreCase));

    /// <summary>
    /// A catalogue id, or <c>owner/repo/file.gguf</c> for any GGUF repository (optionally <c>owner/repo/file.gguf+mmproj.gguf</c>).
    /// </summary>
    public static CatalogueEntry? Resolve(string id)
    {
        if (Find(id) is { } entry) return entry;
        var parts = id.Split('/');
        if (parts.Length < 3 || parts.Any(p => p.Length == 0 || p is "." or "..")) return null;
        var repo = parts[0] + "/" + parts[1];
        var files = string.Join('/', parts[2..]).Split('+');
        if (!files[0].EndsWith(".gguf", StringComparison.OrdinalIgnoreCase)) return null;
        return new CatalogueEntry(id, new HubFile(repo, files[0]), files.Length > 1 ? new HubFile(repo, files[1]) : null, files.Length > 1 ? "text,image" : "text", "user-named GGUF file");
    }

    /// <summary>Where a pulled file lives under the models folder: one sub-folder per repository.</summary>
    public static string LocalPath(string modelsDirectory, HubFile file) =>
        Path.Combine(modelsDirectory, file.Repo.Replace('/', '-'), file.File.Replace('/', Path.DirectorySeparatorChar));
}
