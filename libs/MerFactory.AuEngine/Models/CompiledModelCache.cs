using System.IO.Hashing;
using System.Text;

namespace MerFactory.AuEngine.Models;

/// <summary>How a model came to be in memory.</summary>
public enum CompiledModelOutcome
{
    /// <summary>Read from its compiled form.</summary>
    Loaded,

    /// <summary>Parsed from the text (no compiled form yet) and compiled for the next start.</summary>
    Compiled,

    /// <summary>The compiled form was corrupt or stale; parsed from the text and compiled again.</summary>
    Rebuilt,

    /// <summary>Parsed from the text; the compiled form could not be written (the reason says why).</summary>
    NotStored,
}

/// <summary>A model kind's compiled form: its name and layout version, the files it comes from, and how to make, store and read it.</summary>
public sealed record CompiledModelSpec<T>(string Kind, int Version, IReadOnlyList<string> Sources, Func<T> Parse,
    Action<T, ModelPackWriter> Write, Func<ModelPackReader, T> Read);

/// <summary>How one compiled model was obtained, without the model (for logs).</summary>
public sealed record CompiledModelNote(string Kind, CompiledModelOutcome Outcome, string CompiledPath, string? Reason);

/// <summary>The model, how it was obtained, where its compiled form is, and why it was (re)built when it was.</summary>
public sealed record CompiledModelResult<T>(T Model, CompiledModelOutcome Outcome, string CompiledPath, string? Reason);

/// <summary>
/// Parse once, then start from the compiled form: <see cref="LoadOrCompile{T}"/> reads the compiled file when it is
/// intact and made from the current sources, and otherwise parses the text (which reports missing models with the
/// install command) and writes the compiled file for the next start.
/// </summary>
public static class CompiledModelCache
{
    public static CompiledModelResult<T> LoadOrCompile<T>(CompiledModelSpec<T> spec, string compiledPath)
    {
        var sources = ModelSource.Fingerprint(spec.Sources);
        string? reason = null;
        if (File.Exists(compiledPath))
        {
            try
            {
                return new(CompiledModelFile.Read(compiledPath, spec.Kind, spec.Version, sources, spec.Read), CompiledModelOutcome.Loaded, compiledPath, null);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // Corrupt (bad checksum, format, payload), stale (sources changed) or unreadable: rebuild from the text.
                reason = e.Message;
            }
        }
        var model = spec.Parse();
        try
        {
            CompiledModelFile.Write(compiledPath, spec.Kind, spec.Version, sources, w => spec.Write(model, w));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return new(model, CompiledModelOutcome.NotStored, compiledPath, $"cannot write the compiled model: {e.Message}");
        }
        return new(model, reason is null ? CompiledModelOutcome.Compiled : CompiledModelOutcome.Rebuilt, compiledPath, reason);
    }

    /// <summary>
    /// Where the compiled form of the model rooted at <paramref name="mainSource"/> lives: in <paramref name="directory"/>
    /// when given; else <c>compiled/</c> under <paramref name="modelsDirectory"/> when that folder is writable; else the
    /// per-user cache (<c>$XDG_CACHE_HOME/merfactory/compiled-models</c>) so read-only model folders are never written.
    /// The name carries the kind and a hash of the source path, so models from different places never share a file.
    /// </summary>
    public static string PathFor(string kind, string mainSource, string modelsDirectory, string? directory)
    {
        var folder = directory is { Length: > 0 } chosen
            ? Path.GetFullPath(chosen)
            : IsWritableFolder(modelsDirectory) ? Path.Combine(Path.GetFullPath(modelsDirectory), "compiled") : UserCacheDirectory;
        var hash = XxHash3.HashToUInt64(Encoding.UTF8.GetBytes(Path.GetFullPath(mainSource)));
        return Path.Combine(folder, $"{kind}-{hash:x16}{CompiledModelFile.Extension}");
    }

    public static string UserCacheDirectory
    {
        get
        {
            var cache = Environment.GetEnvironmentVariable("XDG_CACHE_HOME") is { Length: > 0 } xdg
                ? xdg
                : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile, Environment.SpecialFolderOption.DoNotVerify), ".cache");
            return Path.Combine(cache, "merfactory", "compiled-models");
        }
    }

    /// <summary>The nearest existing folder on the path has its owner-write bit (root would otherwise write anywhere).</summary>
    private static bool IsWritableFolder(string folder)
    {
        var existing = new DirectoryInfo(Path.GetFullPath(folder));
        while (existing is not null && !existing.Exists) existing = existing.Parent;
        if (existing is null) return false;
        return OperatingSystem.IsWindows() || (existing.UnixFileMode & UnixFileMode.UserWrite) != 0;
    }
}
