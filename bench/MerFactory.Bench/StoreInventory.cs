using MerFactory.Storage;

namespace MerFactory.Bench;

/// <summary>
/// What a run left in its object store: bytes per area (first key segment), the step results' own bytes
/// (<c>artifacts/{step}/{key}/</c> without the manifests) and how many distinct keys each step used.
/// </summary>
internal sealed record StoreInventory(IReadOnlyDictionary<string, long> BytesPerArea, long ArtifactBytes, long ManifestBytes, IReadOnlyDictionary<string, int> KeysPerStep)
{
    /// <summary>Lists the store, trying again after a failed listing (s3rver answers InternalError now and then under load).</summary>
    public static async Task<StoreInventory> ReadAsync(IObjectStore store, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await ListAsync(store, cancellationToken);
            }
            catch (Exception e) when (attempt < 5 && e is not OperationCanceledException)
            {
                await Task.Delay(TimeSpan.FromSeconds(attempt), cancellationToken);
            }
        }
    }

    private static async Task<StoreInventory> ListAsync(IObjectStore store, CancellationToken cancellationToken)
    {
        var items = new List<(string Key, long Size)>();
        await foreach (var item in store.ListAsync("", cancellationToken)) items.Add((item.Key, item.Size));
        return Of(items);
    }

    /// <summary>
    /// Read from s3rver's data folder rather than through S3: s3rver fails listings past 1000 keys (InternalError on
    /// the second page), which a 40-clip run passes.
    /// </summary>
    public static StoreInventory FromS3rverFolder(string dataDirectory, string bucket)
    {
        const string suffix = "._S3rver_object";
        var root = Path.Combine(dataDirectory, bucket);
        return Of(Directory.Exists(root)
            ? Directory.EnumerateFiles(root, "*" + suffix, SearchOption.AllDirectories)
                .Select(f => (Path.GetRelativePath(root, f)[..^suffix.Length].Replace('\\', '/'), new FileInfo(f).Length)).ToList()
            : []);
    }

    private static StoreInventory Of(IEnumerable<(string Key, long Size)> items)
    {
        var areas = new SortedDictionary<string, long>(StringComparer.Ordinal);
        var keys = new SortedDictionary<string, HashSet<string>>(StringComparer.Ordinal);
        long artifacts = 0, manifests = 0;
        foreach (var item in items)
        {
            var parts = item.Key.Split('/');
            areas[parts[0]] = areas.GetValueOrDefault(parts[0]) + item.Size;
            if (parts[0] != "artifacts" || parts.Length < 4) continue;
            (keys.TryGetValue(parts[1], out var set) ? set : keys[parts[1]] = new HashSet<string>(StringComparer.Ordinal)).Add(parts[2]);
            if (parts[^1] == "manifest.json") manifests += item.Size;
            else artifacts += item.Size;
        }
        return new StoreInventory(areas, artifacts, manifests, keys.ToDictionary(k => k.Key, k => k.Value.Count));
    }

    /// <summary>What this inventory holds beyond <paramref name="earlier"/> (e.g. the run after a warm-up).</summary>
    public StoreInventory Since(StoreInventory earlier) => new(
        BytesPerArea.ToDictionary(a => a.Key, a => a.Value - earlier.BytesPerArea.GetValueOrDefault(a.Key)),
        ArtifactBytes - earlier.ArtifactBytes, ManifestBytes - earlier.ManifestBytes,
        KeysPerStep.ToDictionary(k => k.Key, k => k.Value - earlier.KeysPerStep.GetValueOrDefault(k.Key)));

    public string KeysLine() => string.Join(", ", KeysPerStep.Select(k => $"{k.Key} {k.Value}"));

    public string AreasLine() => string.Join(", ", BytesPerArea.Select(a => $"{a.Key} {a.Value / 1e6:0.00} MB"));

    /// <summary>Steps that ran for some files but used fewer keys than there are files: some files shared a key.</summary>
    public IEnumerable<string> StepsWithFewerKeysThan(int files) => KeysPerStep.Where(k => k.Value < files).Select(k => $"{k.Key} ({k.Value})");
}
