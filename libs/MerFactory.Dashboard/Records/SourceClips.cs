using System.Text.Json.Nodes;
using MerFactory.Storage;

namespace MerFactory.Dashboard.Records;

/// <summary>Source clips (videos and still images) of records: found through <c>{id}_media.json</c> in an object store, served from a local copy.</summary>
public static class SourceClips
{
    private static readonly HashSet<string> VideoExtensions = new(StringComparer.OrdinalIgnoreCase) { ".mp4", ".webm", ".mov", ".mkv", ".m4v", ".ogv", ".avi", ".wmv" };

    // Stills a browser shows in an <img>; the record page shows the picture an image record describes.
    private static readonly HashSet<string> ImageExtensions = new(StringComparer.OrdinalIgnoreCase) { ".jpg", ".jpeg", ".png", ".webp", ".gif", ".bmp" };

    public static bool IsVideo(string name) => VideoExtensions.Contains(Path.GetExtension(name));

    public static bool IsImage(string name) => ImageExtensions.Contains(Path.GetExtension(name));

    /// <summary>A clip the page can show: a video or a still image.</summary>
    public static bool IsShown(string name) => IsVideo(name) || IsImage(name);

    /// <summary>
    /// The uploaded clip a stored record names (<c>SourceKey</c> of its media sidecar, written by distributed jobs). Only
    /// a video in the uploads of the owner whose folder holds the dataset (<paramref name="owner"/>) is served: a record
    /// cannot point the dashboard at another owner's objects, or at anything but an upload.
    /// </summary>
    public static async Task<SourceClip?> FindInStoreAsync(IRecordFiles files, RecordSnapshot snapshot, string? owner, CancellationToken cancellationToken)
    {
        var sidecar = $"{snapshot.Id}_media.json";
        if (owner is null || !snapshot.FileNames.Contains(sidecar)) return null;
        if (await RecordReader.ReadJsonAsync(files, snapshot.Id, sidecar, cancellationToken) is not JsonObject media
            || media["SourceKey"] is not JsonValue value || !value.TryGetValue<string>(out var key)) return null;
        try
        {
            ObjectKeys.Validate(key);
        }
        catch (ArgumentException)
        {
            return null;
        }
        return OwnedKeys.IsOwnedBy(key, owner, OwnedKeys.Uploads) && IsShown(key) ? new SourceClip(Path.GetFileName(key), null, key) : null;
    }

    /// <summary>The owner whose area (<c>jobs/{owner}/…</c> or <c>datasets/{owner}/…</c>) holds <paramref name="prefix"/>; null when none does.</summary>
    public static string? OwnerOf(string prefix)
    {
        var segments = prefix.Split('/');
        if (segments.Length < 3 || segments[0] is not (OwnedKeys.Jobs or OwnedKeys.Datasets)) return null;
        try
        {
            return OwnedKeys.ValidateOwner(segments[1]);
        }
        catch (ArgumentException)
        {
            return null;
        }
    }
}
