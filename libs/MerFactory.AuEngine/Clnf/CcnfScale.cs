namespace MerFactory.AuEngine.Clnf;

/// <summary>
/// The CCNF patch experts of one scale (one "ccnf_patches_S_*.txt" file): the reference scale the patches were trained
/// at, one expert per view and landmark, which landmarks each view sees, and the Sigma components per window size.
/// </summary>
public sealed class CcnfScale
{
    private readonly Dictionary<int, (float[] Components, int Count)> _sigmaComponents;

    private CcnfScale(double patchScaling, double[][] viewCentres, bool[][] visibility, CcnfPatchExpert[][] experts,
        Dictionary<int, (float[] Components, int Count)> sigmaComponents)
    {
        PatchScaling = patchScaling;
        ViewCentres = viewCentres;
        Visibility = visibility;
        Experts = experts;
        _sigmaComponents = sigmaComponents;
    }

    /// <summary>Scale of the reference shape the patches were trained at (0.25, 0.35, 0.5, ...).</summary>
    public double PatchScaling { get; }

    /// <summary>Per view: the head orientation (rx, ry, rz, radians) the view was trained for.</summary>
    public double[][] ViewCentres { get; }

    /// <summary>Per view and landmark: does this view have an expert for the landmark.</summary>
    public bool[][] Visibility { get; }

    /// <summary>Per view and landmark.</summary>
    public CcnfPatchExpert[][] Experts { get; }

    public int ViewCount => ViewCentres.Length;

    public IReadOnlyCollection<int> WindowSizes => _sigmaComponents.Keys;

    internal (float[] Components, int Count) SigmaComponents(int window) =>
        _sigmaComponents.TryGetValue(window, out var c) ? c : ([], 0);

    /// <summary>The view whose centre is nearest (squared Euclidean in Euler angles) to the rotation.</summary>
    public int ViewIndex(double rx, double ry, double rz)
    {
        var best = 0;
        var bestDistance = double.MaxValue;
        for (var i = 0; i < ViewCentres.Length; i++)
        {
            double d1 = rx - ViewCentres[i][0], d2 = ry - ViewCentres[i][1], d3 = rz - ViewCentres[i][2];
            var d = d1 * d1 + d2 * d2 + d3 * d3;
            if (i == 0 || d < bestDistance)
            {
                bestDistance = d;
                best = i;
            }
        }
        return best;
    }

    /// <summary>Computes the Sigmas of <paramref name="view"/> for <paramref name="window"/> (in parallel), so they are stored with the model.</summary>
    internal void PrepareSigmas(int view, int window)
    {
        var (components, count) = SigmaComponents(window);
        if (count == 0) return;
        Parallel.ForEach(Experts[view], expert => expert.PrepareSigma(window, components, count));
    }

    internal void WriteTo(Models.ModelPackWriter writer)
    {
        writer.Write(PatchScaling);
        writer.Write(ViewCount);
        for (var v = 0; v < ViewCount; v++)
        {
            writer.Write(ViewCentres[v]);
            writer.Write(Visibility[v]);
            writer.Write(Experts[v].Length);
            foreach (var expert in Experts[v]) expert.WriteTo(writer);
        }
        writer.Write(_sigmaComponents.Count);
        foreach (var (window, (components, count)) in _sigmaComponents.OrderBy(p => p.Key))
        {
            writer.Write(window);
            writer.Write(count);
            writer.Write(components);
        }
    }

    internal static CcnfScale ReadFrom(Models.ModelPackReader reader)
    {
        var patchScaling = reader.ReadDouble();
        var viewCount = reader.ReadCount(64);
        var centres = new double[viewCount][];
        var visibility = new bool[viewCount][];
        var experts = new CcnfPatchExpert[viewCount][];
        for (var v = 0; v < viewCount; v++)
        {
            centres[v] = reader.ReadDoubles();
            visibility[v] = reader.ReadBooleans();
            experts[v] = new CcnfPatchExpert[reader.ReadCount(10_000)];
            for (var p = 0; p < experts[v].Length; p++) experts[v][p] = CcnfPatchExpert.ReadFrom(reader);
            if (centres[v].Length != 3 || experts[v].Length != visibility[v].Length || visibility[v].Length != visibility[0].Length)
                throw reader.Corrupt("views disagree on the landmark count");
        }
        var windowCount = reader.ReadCount(32);
        var sigmaComponents = new Dictionary<int, (float[], int)>();
        for (var w = 0; w < windowCount; w++)
        {
            var window = reader.ReadCount(31);
            var count = reader.ReadCount(64);
            var components = reader.ReadSingles();
            if (components.Length != count * window * window * window * window) throw reader.Corrupt("Sigma components do not fit their window");
            sigmaComponents[window] = (components, count);
        }
        return new CcnfScale(patchScaling, centres, visibility, experts, sigmaComponents);
    }

    internal static CcnfScale Read(string path)
    {
        var reader = ClnfBinaryReader.Open(path);
        var patchScaling = reader.ReadDouble();
        var viewCount = reader.ReadInt32();
        if (patchScaling is <= 0 or > 10 || viewCount is <= 0 or > 64) throw reader.Corrupt("implausible scale or view count");
        var centres = new double[viewCount][];
        for (var v = 0; v < viewCount; v++)
        {
            var m = reader.ReadMatrix();
            if (m.Values.Length != 3) throw reader.Corrupt("a view centre must have 3 angles");
            centres[v] = m.Values.Select(d => d * Math.PI / 180.0).ToArray();
        }
        var visibility = new bool[viewCount][];
        for (var v = 0; v < viewCount; v++) visibility[v] = reader.ReadMatrix().Values.Select(d => d != 0).ToArray();
        var points = visibility[0].Length;
        if (points == 0 || visibility.Any(v => v.Length != points)) throw reader.Corrupt("views disagree on the landmark count");

        var windowCount = reader.ReadInt32();
        if (windowCount is < 0 or > 32) throw reader.Corrupt("implausible window count");
        var sigmaComponents = new Dictionary<int, (float[], int)>();
        var betaCount = 0;
        for (var w = 0; w < windowCount; w++)
        {
            var window = reader.ReadInt32();
            var count = reader.ReadInt32();
            if (window is <= 0 or > 31 || count is < 0 or > 64) throw reader.Corrupt("implausible Sigma component header");
            var size = window * window;
            var flat = new float[count * size * size];
            for (var c = 0; c < count; c++)
            {
                var m = reader.ReadMatrix();
                if (m.Rows != size || m.Cols != size) throw reader.Corrupt($"Sigma component for window {window} is {m.Rows}x{m.Cols}");
                for (var k = 0; k < m.Values.Length; k++) flat[c * size * size + k] = (float)m.Values[k];
            }
            sigmaComponents[window] = (flat, count);
            if (w == 0) betaCount = count;
        }

        var experts = new CcnfPatchExpert[viewCount][];
        for (var v = 0; v < viewCount; v++)
        {
            experts[v] = new CcnfPatchExpert[points];
            for (var p = 0; p < points; p++) experts[v][p] = CcnfPatchExpert.Read(reader, betaCount);
        }
        if (!reader.AtEnd) throw reader.Corrupt("unexpected bytes after the last patch expert");
        return new CcnfScale(patchScaling, centres, visibility, experts, sigmaComponents);
    }
}
