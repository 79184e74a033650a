using System.Security.Cryptography;

namespace MerFactory.Llm;

/// <summary>
/// One media input of a step. Content is read once into memory: the cache key needs its hash anyway, and
/// clips of MER datasets are small; the Gemini client moves large ones to the File API instead of inlining.
/// </summary>
public sealed class MediaAttachment
{
    private MediaAttachment(string name, string mimeType, ReadOnlyMemory<byte> content, string? sourcePath)
    {
        Name = name;
        MimeType = mimeType;
        Content = content;
        SourcePath = sourcePath;
        Sha256 = Convert.ToHexStringLower(SHA256.HashData(content.Span));
    }

    /// <summary>File name (no folders) used for uploads and messages.</summary>
    public string Name { get; }

    public string MimeType { get; }

    public ReadOnlyMemory<byte> Content { get; }

    /// <summary>Path the bytes came from, when they came from a file.</summary>
    public string? SourcePath { get; }

    /// <summary>Lower-case hex SHA-256 of <see cref="Content"/>; part of the response-cache key.</summary>
    public string Sha256 { get; }

    public Modality Modality => ModalityOf(MimeType);

    /// <summary>Reads a file; the MIME type is taken from its extension unless given.</summary>
    public static async Task<MediaAttachment> FromFileAsync(string path, string? mimeType = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (!File.Exists(path)) throw new FileNotFoundException($"Media file '{path}' does not exist.", path);
        var mime = mimeType ?? MimeTypes.FromExtension(path)
            ?? throw new ArgumentException($"Media file '{path}': unknown extension '{Path.GetExtension(path)}'; pass the MIME type explicitly.", nameof(path));
        var bytes = await File.ReadAllBytesAsync(path, cancellationToken).ConfigureAwait(false);
        if (bytes.Length == 0) throw new InvalidDataException($"Media file '{path}' is empty.");
        return new MediaAttachment(Path.GetFileName(path), mime, bytes, Path.GetFullPath(path));
    }

    public static async Task<MediaAttachment> FromStreamAsync(Stream stream, string name, string mimeType, CancellationToken cancellationToken = default)
    {
        using var buffer = new MemoryStream();
        await stream.CopyToAsync(buffer, cancellationToken).ConfigureAwait(false);
        return FromBytes(buffer.ToArray(), name, mimeType);
    }

    public static MediaAttachment FromBytes(ReadOnlyMemory<byte> content, string name, string mimeType)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentException.ThrowIfNullOrEmpty(mimeType);
        if (content.IsEmpty) throw new InvalidDataException($"Media '{name}' is empty.");
        return new MediaAttachment(name, mimeType, content, null);
    }

    internal static Modality ModalityOf(string mimeType) =>
        mimeType.StartsWith("image/", StringComparison.OrdinalIgnoreCase) ? Modality.Image
        : mimeType.StartsWith("audio/", StringComparison.OrdinalIgnoreCase) ? Modality.Audio
        : mimeType.StartsWith("video/", StringComparison.OrdinalIgnoreCase) ? Modality.Video
        : Modality.Text;
}

/// <summary>
/// What the caller already knows about a step's media, used when the routed model cannot take the media itself:
/// video becomes sampled frames (+ transcript), audio becomes transcript + prosody description.
/// </summary>
/// <param name="Frames">Frames sampled from the video, in time order (image attachments).</param>
/// <param name="Transcript">Speech transcript from the transcribe artifact.</param>
/// <param name="ProsodySummary">Prosody/tone features in words (pitch, energy, rate, pauses, background).</param>
public sealed record MediaEvidence(IReadOnlyList<MediaAttachment>? Frames = null, string? Transcript = null, string? ProsodySummary = null)
{
    public IReadOnlyList<MediaAttachment> FrameList => Frames ?? [];
}

public static class MimeTypes
{
    private static readonly Dictionary<string, string> ByExtension = new(StringComparer.OrdinalIgnoreCase)
    {
        [".jpg"] = "image/jpeg", [".jpeg"] = "image/jpeg", [".png"] = "image/png", [".bmp"] = "image/bmp",
        [".webp"] = "image/webp", [".gif"] = "image/gif",
        [".wav"] = "audio/wav", [".mp3"] = "audio/mpeg", [".flac"] = "audio/flac", [".m4a"] = "audio/mp4",
        [".ogg"] = "audio/ogg", [".aac"] = "audio/aac",
        [".mp4"] = "video/mp4", [".avi"] = "video/x-msvideo", [".mov"] = "video/quicktime", [".mkv"] = "video/x-matroska",
        [".flv"] = "video/x-flv", [".wmv"] = "video/x-ms-wmv", [".webm"] = "video/webm", [".mpeg"] = "video/mpeg",
    };

    public static string? FromExtension(string path) => ByExtension.GetValueOrDefault(Path.GetExtension(path));
}
