using MerFactory.AuEngine.Models;
namespace MerFactory.AuEngine.Prediction;

/// <summary>
/// The AU models named by an OpenFace list file (AU_all_best.txt for video, AU_all_static.txt for images):
/// each line is "relative/path.dat AUxx". Output columns are the AU names sorted, as OpenFace writes them.
/// </summary>
public sealed class AuModelSet
{
    public IReadOnlyList<LinearAuModel> Models { get; }
    /// <summary>Sorted intensity AU names (e.g. AU01..AU45, 17 for OpenFace).</summary>
    public IReadOnlyList<string> IntensityNames { get; }
    /// <summary>Sorted presence AU names (18 for OpenFace: adds AU28).</summary>
    public IReadOnlyList<string> PresenceNames { get; }
    /// <summary>Model index for each intensity name.</summary>
    public IReadOnlyList<int> IntensityModelIndex { get; }
    public IReadOnlyList<int> PresenceModelIndex { get; }
    public bool HasDynamicModels => Models.Any(m => m.IsDynamic);

    private AuModelSet(List<LinearAuModel> models)
    {
        Models = models;
        var intensity = models.Select((m, i) => (m, i)).Where(t => !t.m.IsPresence).OrderBy(t => t.m.AuName, StringComparer.Ordinal).ToList();
        var presence = models.Select((m, i) => (m, i)).Where(t => t.m.IsPresence).OrderBy(t => t.m.AuName, StringComparer.Ordinal).ToList();
        IntensityNames = intensity.Select(t => t.m.AuName).ToList();
        IntensityModelIndex = intensity.Select(t => t.i).ToList();
        PresenceNames = presence.Select(t => t.m.AuName).ToList();
        PresenceModelIndex = presence.Select(t => t.i).ToList();
    }

    public static AuModelSet Load(string listPath, int featureLength)
    {
        if (!File.Exists(listPath)) throw new ModelNotFoundException("OpenFace AU model list", listPath);
        var root = Path.GetDirectoryName(Path.GetFullPath(listPath))!;
        var models = new List<LinearAuModel>();
        var lineNumber = 0;
        foreach (var raw in File.ReadLines(listPath))
        {
            lineNumber++;
            var line = raw.Trim();
            if (line.Length == 0) continue;
            var parts = line.Split((char[]?)null, 2, StringSplitOptions.RemoveEmptyEntries);
            if (parts.Length != 2) throw new CorruptModelException(listPath, $"line {lineNumber}: expected '<model file> <AU name>'");
            var names = parts[1].Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            if (names.Length != 1) throw new CorruptModelException(listPath, $"line {lineNumber}: one AU name per model expected");
            models.Add(LinearAuModel.Read(Path.Combine(root, parts[0]), names[0], featureLength));
        }
        if (models.Count == 0) throw new CorruptModelException(listPath, "no models listed");
        if (models.GroupBy(m => (m.AuName, m.IsPresence)).Any(g => g.Count() > 1))
            throw new CorruptModelException(listPath, "an AU is listed twice for the same output");
        return new AuModelSet(models);
    }
}
