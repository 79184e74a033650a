using System.Text.Json;

namespace MerFactory.Storage;

/// <summary>
/// One file of a dataset kept by reference: its path in the dataset (MER-Factory's OUTPUT layout, <c>{id}/{file}</c>) and
/// the object that holds its bytes (a step artifact, or a file only the job wrote), with that object's size and sha256.
/// </summary>
public sealed record ReferencedFile(string Path, string Key, long Size, string Sha256);

/// <summary>
/// Reference manifests: a dataset under a prefix holds, besides the objects stored there, JSON lists of
/// <see cref="ReferencedFile"/>s at <c>{prefix}.references/{name}.json</c>. A job's outputs are such a list (its files are
/// the step artifacts they are, never copies), and the dashboard adds a job's outputs to its dataset with one.
/// </summary>
public static class DatasetReferences
{
    /// <summary>The folder of a dataset's manifests; its leading '.' keeps it out of the record ids.</summary>
    public const string Folder = ".references/";

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { WriteIndented = false };

    public static string FolderOf(string datasetPrefix) => NormalizePrefix(datasetPrefix) + Folder;

    /// <summary>The key of the manifest <paramref name="name"/> (one key segment, e.g. a job id) of a dataset.</summary>
    public static string ManifestKey(string datasetPrefix, string name) => ObjectKeys.Validate(FolderOf(datasetPrefix) + name + ".json");

    public static string NormalizePrefix(string prefix) => prefix.Length == 0 || prefix.EndsWith('/') ? prefix : prefix + "/";

    /// <summary>Writes (or replaces) a manifest; every path and key is checked first.</summary>
    public static async Task<ObjectInfo> PutAsync(IObjectStore store, string datasetPrefix, string name, IEnumerable<ReferencedFile> files, CancellationToken cancellationToken)
    {
        var list = files.Select(Validated).OrderBy(f => f.Path, StringComparer.Ordinal).ToList();
        var bytes = JsonSerializer.SerializeToUtf8Bytes(list, Json);
        return await store.PutAsync(ManifestKey(datasetPrefix, name), new MemoryStream(bytes), "application/json", cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Reads a manifest; an unreadable one, or one naming a bad path or key, is an error rather than a partial dataset.</summary>
    public static async Task<IReadOnlyList<ReferencedFile>> ReadAsync(IObjectStore store, string key, CancellationToken cancellationToken)
    {
        await using var stream = await store.OpenReadAsync(key, cancellationToken).ConfigureAwait(false);
        List<ReferencedFile>? files;
        try
        {
            files = await JsonSerializer.DeserializeAsync<List<ReferencedFile>>(stream, Json, cancellationToken).ConfigureAwait(false);
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"The reference manifest '{key}' is not a list of referenced files: {e.Message}", e);
        }
        try
        {
            return [.. (files ?? []).Select(Validated)];
        }
        catch (ArgumentException e)
        {
            throw new InvalidDataException($"The reference manifest '{key}' names a bad path or key: {e.Message}", e);
        }
    }

    private static ReferencedFile Validated(ReferencedFile file)
    {
        ArgumentNullException.ThrowIfNull(file);
        ObjectKeys.Validate(file.Path);
        ObjectKeys.Validate(file.Key);
        if (file.Size < 0 || file.Sha256 is not { Length: 64 } || !file.Sha256.All(Uri.IsHexDigit))
            throw new ArgumentException($"'{file.Path}' has no valid size and sha256.", nameof(file));
        return file;
    }
}
