namespace MerFactory.Pipeline.Orchestration;

public enum MediaKind
{
    Video,
    Image,
    Audio,
}

/// <summary>One input file and the output id (folder and file stem) it gets.</summary>
public sealed record InputFile(string Path, string RelativePath, MediaKind Kind, string Id);

/// <summary>
/// Finds inputs as MER-Factory does (spec §1.5), but with case-insensitive extensions, a deterministic order
/// and no collisions between files that share a stem.
/// </summary>
public static class InputDiscovery
{
    public static readonly IReadOnlySet<string> VideoExtensions = new HashSet<string>(StringComparer.OrdinalIgnoreCase) { ".mp4", ".avi", ".mov", ".mkv", ".flv", ".wmv" };
    public static readonly IReadOnlySet<string> ImageExtensions = new HashSet<string>(StringComparer.OrdinalIgnoreCase) { ".jpg", ".jpeg", ".png", ".bmp" };
    public static readonly IReadOnlySet<string> AudioExtensions = new HashSet<string>(StringComparer.OrdinalIgnoreCase) { ".wav", ".mp3", ".flac", ".m4a" };

    public static MediaKind? KindOf(string path)
    {
        var ext = System.IO.Path.GetExtension(path);
        if (VideoExtensions.Contains(ext)) return MediaKind.Video;
        if (ImageExtensions.Contains(ext)) return MediaKind.Image;
        if (AudioExtensions.Contains(ext)) return MediaKind.Audio;
        return null;
    }

    /// <summary>Discovers inputs; throws <see cref="InputDiscoveryException"/> with MER-Factory's messages when nothing usable is found.</summary>
    public static IReadOnlyList<InputFile> Discover(string inputPath)
    {
        var full = System.IO.Path.GetFullPath(inputPath);
        List<(string Path, string Relative, MediaKind Kind)> found;
        if (File.Exists(full))
        {
            var kind = KindOf(full) ?? throw new InputDiscoveryException($"Error: '{inputPath}' is not a recognized video, image, or audio file.");
            found = [(full, System.IO.Path.GetFileName(full), kind)];
        }
        else if (Directory.Exists(full))
        {
            found = InputWalk.Files(full)
                .Select(f => (Path: f, Relative: System.IO.Path.GetRelativePath(full, f).Replace('\\', '/'), Kind: KindOf(f)))
                .Where(f => f.Kind is not null)
                .Select(f => (f.Path, f.Relative, f.Kind!.Value))
                .OrderBy(f => f.Relative, StringComparer.Ordinal)
                // The same file reached twice (a link to it, a linked folder) is one input: the first path in order.
                .DistinctBy(f => InputWalk.RealPath(f.Path) ?? f.Path, StringComparer.Ordinal)
                .ToList();
            if (found.Count == 0) throw new InputDiscoveryException($"Error: No video, image, or audio files found in '{inputPath}'.");
        }
        else
        {
            throw new InputDiscoveryException($"Error: Input path '{inputPath}' does not exist.");
        }
        return AssignIds(found);
    }

    /// <summary>
    /// Inputs named by their relative paths (a job submitted to a deployment): kinds and ids assigned exactly as
    /// for a local folder. Paths that are not media are rejected with the path in the message.
    /// </summary>
    public static IReadOnlyList<InputFile> FromRelativePaths(IEnumerable<string> relativePaths)
    {
        var files = relativePaths.Select(r => RequireRelative(r.Replace('\\', '/')))
            .Select(r => (Path: r, Relative: r, Kind: KindOf(r) ?? throw new InputDiscoveryException($"Error: '{r}' is not a recognized video, image, or audio file.")))
            .OrderBy(f => f.Relative, StringComparer.Ordinal)
            .ToList();
        if (files.Count == 0) throw new InputDiscoveryException("Error: the job has no input files.");
        return AssignIds(files);
    }

    /// <summary>Longest id in UTF-8 bytes: the id names files such as <c>{id}_audio_analysis.json.partial</c>, and names have 255 bytes.</summary>
    public const int MaxIdBytes = 200;

    /// <summary>A submitted path stays inside the job: relative, without empty, '.' or '..' segments.</summary>
    private static string RequireRelative(string relative)
    {
        if (relative.Length == 0 || relative.StartsWith('/') || relative.Contains('\0') || System.IO.Path.IsPathRooted(relative)
            || relative.Split('/').Any(segment => segment is "" or "." or ".."))
            throw new InputDiscoveryException($"Error: '{relative}' is not a relative path inside the input folder.");
        return relative;
    }

    /// <summary>
    /// The id is the stem, as in MER-Factory; when stems collide, every one of them gets its extension added
    /// (<c>clip_mp4</c>, <c>clip_avi</c>), and when stem and extension collide too, its folder path as well
    /// (<c>a_clip_mp4</c>, <c>b_clip_mp4</c>), so no two inputs share an output folder. An id longer than
    /// <see cref="MaxIdBytes"/> keeps its start and gets a hash of the relative path.
    /// </summary>
    private static List<InputFile> AssignIds(List<(string Path, string Relative, MediaKind Kind)> files)
    {
        static string Stem(string relative) => System.IO.Path.GetFileNameWithoutExtension(relative);
        static string WithExtension(string relative) => Stem(relative) + "_" + System.IO.Path.GetExtension(relative).TrimStart('.').ToLowerInvariant();
        static string WithFolders(string relative)
        {
            var dir = System.IO.Path.GetDirectoryName(relative)?.Replace('\\', '/').Replace('/', '_') ?? "";
            return (dir.Length > 0 ? dir + "_" : "") + WithExtension(relative);
        }

        var byStem = files.GroupBy(f => Stem(f.Relative), StringComparer.OrdinalIgnoreCase).ToDictionary(g => g.Key, g => g.Count(), StringComparer.OrdinalIgnoreCase);
        var byStemExt = files.GroupBy(f => WithExtension(f.Relative), StringComparer.OrdinalIgnoreCase).ToDictionary(g => g.Key, g => g.Count(), StringComparer.OrdinalIgnoreCase);
        // A stem of '.', '..' or nothing ('...mp4', '.mp4') would name a folder outside (or the root of) OUTPUT.
        if (files.FirstOrDefault(f => Stem(f.Relative) is "" or "." or "..") is { Relative: not null } unsafeName)
            throw new InputDiscoveryException($"Error: '{unsafeName.Relative}' has no usable file name (its output folder would be '{Stem(unsafeName.Relative)}'); rename it.");
        return files.Select(f =>
        {
            var id = byStem[Stem(f.Relative)] == 1 ? Stem(f.Relative)
                : byStemExt[WithExtension(f.Relative)] == 1 ? WithExtension(f.Relative)
                : WithFolders(f.Relative);
            return new InputFile(f.Path, f.Relative, f.Kind, Shortened(id, f.Relative));
        }).ToList();
    }

    private static string Shortened(string id, string relative)
    {
        if (System.Text.Encoding.UTF8.GetByteCount(id) <= MaxIdBytes) return id;
        var hash = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(relative)))[..12];
        var keep = id.Length;
        while (System.Text.Encoding.UTF8.GetByteCount(id.AsSpan(0, keep)) > MaxIdBytes - hash.Length - 1) keep--;
        if (keep > 0 && char.IsHighSurrogate(id[keep - 1])) keep--; // never split a surrogate pair
        return id[..keep] + "_" + hash;
    }
}

public sealed class InputDiscoveryException(string message) : Exception(message);
