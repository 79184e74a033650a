using MerFactory.ModelHost.Inference;
using Microsoft.Extensions.Options;

namespace MerFactory.ModelHost.Models;

/// <summary>
/// Turns a request's model id into files: configured models first, then catalogue ids and <c>owner/repo/file.gguf</c>
/// pulled into the models folder, then plain names of files in the models folder. Paths from requests never reach the
/// file system directly: an id with "..", a rooted path or a separator outside these forms is unknown.
/// </summary>
public sealed class ModelResolver(IOptions<ModelHostOptions> options)
{
    public ModelDefinition Resolve(string id)
    {
        var settings = options.Value;
        if (string.IsNullOrWhiteSpace(id)) throw new ModelNotFoundException(id, "no model named");
        var configured = settings.Models.FirstOrDefault(m => string.Equals(m.Id, id, StringComparison.OrdinalIgnoreCase));
        if (configured is not null) return configured;
        if (GgufCatalogue.Unsupported.TryGetValue(id, out var why)) throw new ModelNotFoundException(id, why);
        if (GgufCatalogue.Resolve(id) is { } entry)
        {
            var path = GgufCatalogue.LocalPath(settings.ModelsDirectory, entry.Model);
            if (!File.Exists(path)) throw new ModelNotFoundException(id, $"not downloaded; run `merfactory models pull {id}` (expected {path})");
            return new ModelDefinition { Id = id, Path = path, MmprojPath = entry.Projector is { } p ? GgufCatalogue.LocalPath(settings.ModelsDirectory, p) : null };
        }
        if (Path.IsPathRooted(id) || id.Contains("..", StringComparison.Ordinal) || id.IndexOfAny(['/', '\\']) >= 0)
            throw new ModelNotFoundException(id, "not a configured model, a catalogue id or a file in the models folder");
        foreach (var candidate in new[] { id, id + ".gguf", id + ".bin" })
        {
            var path = Path.Combine(settings.ModelsDirectory, candidate);
            if (File.Exists(path)) return new ModelDefinition { Id = id, Path = path, MmprojPath = ProjectorBeside(path) };
        }
        throw new ModelNotFoundException(id, $"no such file in {settings.ModelsDirectory}");
    }

    /// <summary>llama.cpp's convention: <c>mmproj-NAME.gguf</c> next to <c>NAME.gguf</c>.</summary>
    public static string? ProjectorBeside(string modelPath)
    {
        var folder = Path.GetDirectoryName(modelPath)!;
        var candidate = Path.Combine(folder, "mmproj-" + Path.GetFileName(modelPath));
        return File.Exists(candidate) ? candidate : null;
    }

    /// <summary>Models the folder holds (GGUF and Whisper ggml files, projectors excluded), by the id that names them.</summary>
    public IEnumerable<string> Available()
    {
        var settings = options.Value;
        var ids = settings.Models.Select(m => m.Id).ToList();
        if (Directory.Exists(settings.ModelsDirectory))
        {
            ids.AddRange(Directory.EnumerateFiles(settings.ModelsDirectory, "*.gguf")
                .Concat(Directory.EnumerateFiles(settings.ModelsDirectory, "ggml-*.bin"))
                .Select(Path.GetFileName).OfType<string>()
                .Where(f => !f.StartsWith("mmproj", StringComparison.OrdinalIgnoreCase))
                .Select(f => f.EndsWith(".gguf", StringComparison.OrdinalIgnoreCase) ? f[..^5] : f[..^4]));
            ids.AddRange(GgufCatalogue.Entries.Where(e => File.Exists(GgufCatalogue.LocalPath(settings.ModelsDirectory, e.Model))).Select(e => e.Id));
        }
        return ids.Distinct(StringComparer.OrdinalIgnoreCase);
    }
}
