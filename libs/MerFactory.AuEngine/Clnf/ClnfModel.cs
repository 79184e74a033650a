using System.Globalization;
using MerFactory.AuEngine.Models;

namespace MerFactory.AuEngine.Clnf;

/// <summary>A PDM with its CCNF patch experts, one set per scale (coarse to fine).</summary>
public sealed class ClnfPatchModel(ClnfPdm pdm, IReadOnlyList<CcnfScale> scales)
{
    public ClnfPdm Pdm { get; } = pdm;
    public IReadOnlyList<CcnfScale> Scales { get; } = scales;

    internal void WriteTo(ModelPackWriter writer)
    {
        Pdm.WriteTo(writer);
        writer.Write(Scales.Count);
        foreach (var scale in Scales) scale.WriteTo(writer);
    }

    internal static ClnfPatchModel ReadFrom(ModelPackReader reader)
    {
        var pdm = ClnfPdm.ReadFrom(reader);
        var scales = new CcnfScale[reader.ReadCount(16)];
        for (var i = 0; i < scales.Length; i++) scales[i] = CcnfScale.ReadFrom(reader);
        if (scales.Length == 0 || scales.Any(s => s.Visibility[0].Length != pdm.PointCount))
            throw reader.Corrupt("patch experts and PDM disagree on the landmark count");
        return new ClnfPatchModel(pdm, scales);
    }
}

/// <summary>
/// Fitting settings of one model (OpenFace's FaceModelParameters as FeatureExtraction 2017 used them):
/// window sizes per scale when starting afresh and when tracking (0 skips the scale), KDE sigma, shape
/// regularisation, NU-RLMS weight factor (0 = unweighted), iterations per pass, and whether sigma/regularisation/weight
/// adapt to each scale.
/// </summary>
public sealed record ClnfFitParameters(int[] WindowsInit, int[] WindowsSmall, double Sigma, double RegFactor, double WeightFactor,
    int Iterations = 5, bool RefineParameters = true)
{
    public static ClnfFitParameters Main { get; } = new([11, 9, 7, 5], [0, 9, 7, 5], 1.5, 25, 0);

    /// <summary>The part settings OpenFace hard-codes by part name.</summary>
    public static ClnfFitParameters ForPart(string name) => name switch
    {
        "inner" => new([9], [9], 1.75, 2.5, 2.5, RefineParameters: false),
        "left_eye_28" or "right_eye_28" => new([3, 5, 9], [3, 5, 9], 1.0, 0.5, 0, RefineParameters: false),
        "left_eye" or "right_eye" => new([5, 3], [5, 3], 2, 0.1, 0, RefineParameters: false),
        "mouth" => new([7, 7], [7, 7], 2, 1, 0, RefineParameters: false),
        "brow" => new([11, 9], [11, 9], 3.5, 10, 0, RefineParameters: false),
        _ => new([9], [9], 1.5, 25, 0, RefineParameters: false),
    };
}

/// <summary>A part model refined after the main fit, with its landmark mapping (main index, part index).</summary>
public sealed record ClnfPart(string Name, ClnfPatchModel Model, IReadOnlyList<(int Main, int Part)> Mapping, ClnfFitParameters Parameters);

/// <summary>
/// OpenFace's CLNF landmark model ("main_clnf_general.txt"): the 68-point model with CCNF experts at three scales,
/// the hierarchical part models (inner face, both eyes) and the face-box conversion.
/// </summary>
public sealed class ClnfModel(ClnfPatchModel main, IReadOnlyList<ClnfPart> parts, double[]? haarAlign, DetectionValidator? validator = null)
{
    public const string MainFileName = "main_clnf_general.txt";

    /// <summary>The <c>merfactory models install</c> entry that provides the model.</summary>
    public const string InstallName = "openface-clnf";

    /// <summary>Name and layout version of the compiled form (bump the version when <see cref="WriteTo"/> changes).</summary>
    public const string CompiledKind = "openface-clnf";
    public const int CompiledVersion = 4;

    public ClnfPatchModel Main { get; } = main;
    public IReadOnlyList<ClnfPart> Parts { get; } = parts;
    public ClnfFitParameters Parameters { get; } = ClnfFitParameters.Main;

    /// <summary>haarAlign.txt: Haar box → CLNF box (scale x, scale y, offset x, offset y); null when absent.</summary>
    public double[]? HaarAlign { get; } = haarAlign;

    /// <summary>The CNN detection validator ("DetectionValidator" line); null when the model names none.</summary>
    public DetectionValidator? Validator { get; } = validator;

    /// <summary>Loads the main model file and everything it names (paths relative to it).</summary>
    /// <exception cref="ModelNotFoundException">A file is missing; the message names the install command.</exception>
    /// <exception cref="CorruptModelException">A file cannot be read.</exception>
    public static ClnfModel Load(string mainPath)
    {
        if (!File.Exists(mainPath)) throw new ModelNotFoundException("OpenFace CLNF landmark model", mainPath, InstallName);
        var root = System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(mainPath))!;
        Task<ClnfPatchModel>? main = null;
        var parts = new List<(string Name, Task<ClnfPatchModel> Model, List<(int, int)> Mapping)>();
        double[]? haar = null;
        Task<DetectionValidator>? validator = null;
        foreach (var line in File.ReadAllLines(mainPath))
        {
            var tokens = line.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
            if (tokens.Length < 2) continue;
            var location = System.IO.Path.Combine(root, tokens[1]);
            switch (tokens[0])
            {
                case "LandmarkDetector":
                    main = Task.Run(() => LoadPatchModel(location));
                    break;
                case "LandmarkDetector_part":
                    if (tokens.Length < 3 || tokens.Length % 2 != 1) throw new CorruptModelException(mainPath, $"bad part line '{line}'");
                    var mapping = new List<(int, int)>();
                    for (var k = 3; k + 1 < tokens.Length; k += 2) mapping.Add((Int(tokens[k], mainPath), Int(tokens[k + 1], mainPath)));
                    parts.Add((tokens[2], Task.Run(() => LoadPart(location)), mapping));
                    break;
                case "FaceDetConversion":
                    haar = ReadHaarAlign(location);
                    break;
                case "DetectionValidator":
                    validator = Task.Run(() => DetectionValidator.Read(location));
                    break;
            }
        }
        if (main is null) throw new CorruptModelException(mainPath, "no LandmarkDetector line");
        try
        {
            var mainModel = main.GetAwaiter().GetResult();
            var loaded = parts.Select(p => new ClnfPart(p.Name, p.Model.GetAwaiter().GetResult(), p.Mapping, ClnfFitParameters.ForPart(p.Name))).ToList();
            foreach (var part in loaded)
                if (part.Mapping.Any(m => m.Main >= mainModel.Pdm.PointCount || m.Part >= part.Model.Pdm.PointCount))
                    throw new CorruptModelException(mainPath, $"part {part.Name} maps points outside the models");
            var checker = validator?.GetAwaiter().GetResult();
            if (checker is not null && checker.Views.Any(v => !v.Warp.FitsLandmarkCount(mainModel.Pdm.PointCount)))
                throw new CorruptModelException(mainPath, "the detection validator's warp names landmarks the model does not have");
            return new ClnfModel(mainModel, loaded, haar, checker);
        }
        catch (AggregateException e) when (e.InnerException is not null)
        {
            throw e.InnerException;
        }
    }

    /// <summary>
    /// Loads the model from its compiled form (memory-mapped), parsing <paramref name="mainPath"/> and writing the
    /// compiled form at <paramref name="compiledPath"/> first when it is missing, corrupt or older than the model's files
    /// (every file in the main file's folder counts).
    /// </summary>
    /// <exception cref="ModelNotFoundException">The text model is missing; the message names the install command.</exception>
    public static CompiledModelResult<ClnfModel> LoadCompiled(string mainPath, string compiledPath)
    {
        if (!File.Exists(mainPath)) throw new ModelNotFoundException("OpenFace CLNF landmark model", mainPath, InstallName);
        var folder = System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(mainPath))!;
        return CompiledModelCache.LoadOrCompile(
            new CompiledModelSpec<ClnfModel>(CompiledKind, CompiledVersion, [folder], () => Load(mainPath), (m, w) =>
            {
                m.PrepareSigmas();
                m.WriteTo(w);
            }, ReadFrom),
            compiledPath);
    }

    /// <summary>
    /// Computes the CCNF Sigmas a fit can need (every view, each scale's start and tracking windows, every part) so the
    /// compiled model carries them (read in place from its mapping): computing them costs more than a whole still-image
    /// fit, and a turning head or a still image's rotated starts would pay for each new view on the fitting path.
    /// </summary>
    internal void PrepareSigmas()
    {
        void Prepare(ClnfPatchModel model, ClnfFitParameters parameters)
        {
            for (var s = 0; s < model.Scales.Count; s++)
                foreach (var windows in new[] { parameters.WindowsInit, parameters.WindowsSmall })
                    if (s < windows.Length && windows[s] > 0)
                        for (var view = 0; view < model.Scales[s].ViewCount; view++) model.Scales[s].PrepareSigmas(view, windows[s]);
        }
        Prepare(Main, Parameters);
        foreach (var part in Parts) Prepare(part.Model, part.Parameters);
    }

    internal void WriteTo(ModelPackWriter writer)
    {
        Main.WriteTo(writer);
        writer.Write(Parts.Count);
        foreach (var part in Parts)
        {
            writer.Write(part.Name);
            writer.Write(part.Mapping.SelectMany(m => new[] { m.Main, m.Part }).ToArray());
            part.Model.WriteTo(writer);
        }
        writer.Write(HaarAlign is not null);
        if (HaarAlign is not null) writer.Write(HaarAlign);
        writer.Write(Validator is not null);
        Validator?.WriteTo(writer);
    }

    internal static ClnfModel ReadFrom(ModelPackReader reader)
    {
        var main = ClnfPatchModel.ReadFrom(reader);
        var parts = new ClnfPart[reader.ReadCount(64)];
        for (var i = 0; i < parts.Length; i++)
        {
            var name = reader.ReadString();
            var pairs = reader.ReadInt32s();
            var model = ClnfPatchModel.ReadFrom(reader);
            if (pairs.Length % 2 != 0) throw reader.Corrupt("odd part mapping");
            var mapping = Enumerable.Range(0, pairs.Length / 2).Select(k => (pairs[2 * k], pairs[2 * k + 1])).ToList();
            if (mapping.Any(m => m.Item1 < 0 || m.Item1 >= main.Pdm.PointCount || m.Item2 < 0 || m.Item2 >= model.Pdm.PointCount))
                throw reader.Corrupt($"part {name} maps points outside the models");
            parts[i] = new ClnfPart(name, model, mapping, ClnfFitParameters.ForPart(name));
        }
        var haar = reader.ReadBoolean() ? reader.ReadDoubles() : null;
        var validator = reader.ReadBoolean() ? DetectionValidator.ReadFrom(reader) : null;
        if (validator is not null && validator.Views.Any(v => !v.Warp.FitsLandmarkCount(main.Pdm.PointCount)))
            throw reader.Corrupt("the detection validator's warp names landmarks the model does not have");
        return new ClnfModel(main, parts, haar, validator);
    }

    private static ClnfPatchModel LoadPart(string partMainPath)
    {
        if (!File.Exists(partMainPath)) throw new ModelNotFoundException("OpenFace CLNF part model", partMainPath, InstallName);
        var root = System.IO.Path.GetDirectoryName(partMainPath)!;
        foreach (var line in File.ReadAllLines(partMainPath))
        {
            var tokens = line.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
            if (tokens.Length >= 2 && tokens[0] == "LandmarkDetector") return LoadPatchModel(System.IO.Path.Combine(root, tokens[1]));
        }
        throw new CorruptModelException(partMainPath, "no LandmarkDetector line");
    }

    /// <summary>Reads a "clnf_*.txt" module list: the PDM and the CCNF patch experts per scale.</summary>
    private static ClnfPatchModel LoadPatchModel(string path)
    {
        if (!File.Exists(path)) throw new ModelNotFoundException("OpenFace CLNF module list", path, InstallName);
        var root = System.IO.Path.GetDirectoryName(path)!;
        ClnfPdm? pdm = null;
        var scales = new List<Task<CcnfScale>>();
        foreach (var line in File.ReadAllLines(path))
        {
            var trimmed = line.Trim();
            var space = trimmed.IndexOf(' ');
            if (space < 0) continue;
            var module = trimmed[..space];
            var location = System.IO.Path.Combine(root, trimmed[(space + 1)..].Trim());
            if (module == "PDM")
            {
                if (!File.Exists(location)) throw new ModelNotFoundException("OpenFace CLNF PDM", location, InstallName);
                pdm = ClnfPdm.Load(location);
            }
            else if (module == "PatchesCCNF") scales.Add(Task.Run(() => CcnfScale.Read(location)));
        }
        if (pdm is null || scales.Count == 0) throw new CorruptModelException(path, "needs a PDM and at least one PatchesCCNF line");
        var loaded = scales.Select(t => t.GetAwaiter().GetResult()).ToList();
        if (loaded.Any(s => s.Visibility[0].Length != pdm.PointCount))
            throw new CorruptModelException(path, "patch experts and PDM disagree on the landmark count");
        return new ClnfPatchModel(pdm, loaded);
    }

    private static double[] ReadHaarAlign(string path)
    {
        var matrix = Alignment.OpenFaceTextMatrix.ReadAll(path).FirstOrDefault()
                     ?? throw new CorruptModelException(path, "empty face detector conversion");
        return matrix.Cast<double>().ToArray();
    }

    private static int Int(string token, string path) =>
        int.TryParse(token, NumberStyles.Integer, CultureInfo.InvariantCulture, out var v) ? v : throw new CorruptModelException(path, $"'{token}' is not an index");
}
