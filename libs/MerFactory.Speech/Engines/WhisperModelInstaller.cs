using System.Security.Cryptography;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace MerFactory.Speech.Engines;

/// <summary>A downloadable ggml Whisper model with the SHA-1 whisper.cpp publishes for it.</summary>
public sealed record WhisperModelDescriptor(string Name, Uri Url, string Sha1, long ApproximateBytes)
{
    public string FileName => Path.GetFileName(Url.LocalPath);
}

/// <summary>The standard whisper.cpp ggml models (checksums from whisper.cpp's models/README.md).</summary>
public static class WhisperModelCatalog
{
    private const string BaseUrl = "https://huggingface.co/ggerganov/whisper.cpp/resolve/main/";

    public static IReadOnlyList<WhisperModelDescriptor> All { get; } =
    [
        Model("tiny", "bd577a113a864445d4c299885e0cb97d4ba92b5f", 75),
        Model("tiny.en", "c78c86eb1a8faa21b369bcd33207cc90d64ae9df", 75),
        Model("base", "465707469ff3a37a2b9b8d8f89f2f99de7299dac", 142),
        Model("base.en", "137c40403d78fd54d454da0f9bd998f78703390c", 142),
        Model("small", "55356645c2b361a969dfd0ef2c5a50d530afd8d5", 466),
        Model("small.en", "db8a495a91d927739e50b3fc1cc4c6b8f6c2d022", 466),
    ];

    /// <summary>Finds a model by <c>whisper-base</c>, <c>base</c> or <c>ggml-base.bin</c>; null when unknown.</summary>
    public static WhisperModelDescriptor? Find(string name)
    {
        var key = name.Trim().ToLowerInvariant();
        if (key.StartsWith("whisper-", StringComparison.Ordinal)) key = key["whisper-".Length..];
        if (key.StartsWith("ggml-", StringComparison.Ordinal)) key = key["ggml-".Length..];
        if (key.EndsWith(".bin", StringComparison.Ordinal)) key = key[..^4];
        return All.FirstOrDefault(m => m.Name == "whisper-" + key);
    }

    private static WhisperModelDescriptor Model(string name, string sha1, long mebibytes) =>
        new($"whisper-{name}", new Uri($"{BaseUrl}ggml-{name}.bin"), sha1, mebibytes << 20);
}

/// <summary>
/// Installs a Whisper model into the model directory: streams the download to a partial file while hashing it,
/// checks the SHA-1 and the ggml structure, then renames it into place, so an interrupted or corrupt download never
/// looks installed.
/// </summary>
public sealed partial class WhisperModelInstaller(HttpClient http, IOptions<WhisperOptions> options, ILogger<WhisperModelInstaller>? logger = null)
{
    private readonly ILogger _logger = logger ?? NullLogger<WhisperModelInstaller>.Instance;

    public Task<string> InstallAsync(string name, IProgress<long>? bytesReceived = null, CancellationToken cancellationToken = default)
    {
        var model = WhisperModelCatalog.Find(name) ?? throw new SpeechModelException(
            $"Unknown Whisper model '{name}'. Available: {string.Join(", ", WhisperModelCatalog.All.Select(m => m.Name))}.");
        return InstallAsync(model, bytesReceived, cancellationToken);
    }

    public async Task<string> InstallAsync(WhisperModelDescriptor model, IProgress<long>? bytesReceived = null, CancellationToken cancellationToken = default)
    {
        var directory = options.Value.ModelDirectory;
        Directory.CreateDirectory(directory);
        var target = Path.Combine(directory, model.FileName);
        if (File.Exists(target) && string.Equals(await Sha1Async(target, cancellationToken).ConfigureAwait(false), model.Sha1, StringComparison.OrdinalIgnoreCase))
        {
            LogAlreadyInstalled(model.Name, target);
            return target;
        }

        var partial = target + ".partial";
        try
        {
            using var response = await http.GetAsync(model.Url, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
            if (!response.IsSuccessStatusCode)
            {
                throw new SpeechModelException($"Downloading {model.Name} from {model.Url} failed: HTTP {(int)response.StatusCode} {response.ReasonPhrase}.");
            }
            using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA1);
            await using (var source = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false))
            await using (var file = new FileStream(partial, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16, useAsync: true))
            {
                var buffer = new byte[1 << 16];
                long total = 0;
                int read;
                while ((read = await source.ReadAsync(buffer, cancellationToken).ConfigureAwait(false)) > 0)
                {
                    hash.AppendData(buffer, 0, read);
                    await file.WriteAsync(buffer.AsMemory(0, read), cancellationToken).ConfigureAwait(false);
                    total += read;
                    bytesReceived?.Report(total);
                }
            }
            var actual = Convert.ToHexStringLower(hash.GetHashAndReset());
            if (!string.Equals(actual, model.Sha1, StringComparison.OrdinalIgnoreCase))
            {
                throw new SpeechModelException($"Downloaded {model.Name} is corrupt: SHA-1 {actual}, expected {model.Sha1}. Run `merfactory models install {model.Name}` again.");
            }
            WhisperModelFile.Validate(partial);
            File.Move(partial, target, overwrite: true);
            LogInstalled(model.Name, target);
            return target;
        }
        catch (HttpRequestException ex)
        {
            throw new SpeechModelException($"Downloading {model.Name} from {model.Url} failed: {ex.Message}", ex);
        }
        finally
        {
            if (File.Exists(partial)) File.Delete(partial);
        }
    }

    private static async Task<string> Sha1Async(string path, CancellationToken cancellationToken)
    {
        await using var stream = File.OpenRead(path);
        return Convert.ToHexStringLower(await SHA1.HashDataAsync(stream, cancellationToken).ConfigureAwait(false));
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Whisper model {Model} installed at {Path}")]
    private partial void LogInstalled(string model, string path);

    [LoggerMessage(Level = LogLevel.Information, Message = "Whisper model {Model} already installed at {Path} (checksum verified)")]
    private partial void LogAlreadyInstalled(string model, string path);
}
