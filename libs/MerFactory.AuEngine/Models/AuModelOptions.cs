namespace MerFactory.AuEngine.Models;

/// <summary>
/// Where the AU engine finds its models. Bound from configuration section <see cref="SectionName"/>.
/// Relative paths are resolved against <see cref="ModelsDirectory"/> (where <c>merfactory models install</c> puts them);
/// the defaults of the landmark model and the Haar cascade are the Debian package paths (libdlib-data, opencv-data).
/// </summary>
public sealed class AuModelOptions
{
    public const string SectionName = "AuModels";

    public const string DebianLandmarkModel = "/usr/share/dlib/shape_predictor_68_face_landmarks.dat";
    public const string DebianHaarCascade = "/usr/share/opencv4/haarcascades/haarcascade_frontalface_default.xml";
    public const string YuNetFileName = "face_detection_yunet_2026may.onnx";

    /// <summary>Per-user models folder: <c>$XDG_DATA_HOME/merfactory/models</c> (usually <c>~/.local/share/merfactory/models</c>).</summary>
    public static string DefaultModelsDirectory =>
        Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData, Environment.SpecialFolderOption.DoNotVerify), "merfactory", "models");

    /// <summary>Folder that relative model paths are resolved against.</summary>
    public string ModelsDirectory { get; set; } = DefaultModelsDirectory;

    /// <summary>dlib 68-point shape predictor (<c>shape_predictor_68_face_landmarks.dat</c>).</summary>
    public string LandmarkModelPath { get; set; } = DebianLandmarkModel;

    /// <summary>YuNet face detector ONNX model (the primary detector).</summary>
    public string YuNetModelPath { get; set; } = YuNetFileName;

    /// <summary>OpenCV Haar cascade, the fallback detector when YuNet is not installed.</summary>
    public string HaarCascadePath { get; set; } = DebianHaarCascade;

    /// <summary>OpenFace's <c>AU_predictors</c> folder (<c>AU_all_best.txt</c>, <c>AU_all_static.txt</c>, <c>svr_combined/</c>, <c>svm_combined/</c>).</summary>
    public string AuPredictorsDirectory { get; set; } = Path.Combine("openface", "AU_predictors");

    /// <summary>OpenFace's 68-point point distribution model.</summary>
    public string PdmPath { get; set; } = Path.Combine("openface", "In-the-wild_aligned_PDM_68.txt");

    /// <summary>OpenFace's CLNF landmark model (<c>main_clnf_general.txt</c>; the files it names sit beside it).</summary>
    public string ClnfModelPath { get; set; } = Path.Combine("openface", "clnf", "model", "main_clnf_general.txt");

    /// <summary>OpenFace's face-mask triangulation.</summary>
    public string TriangulationPath { get; set; } = Path.Combine("openface", "tris_68_full.txt");

    /// <summary>
    /// Folder for the compiled (parsed once, memory-mapped) forms of the OpenFace models; empty: <c>compiled/</c> under
    /// <see cref="ModelsDirectory"/> when that is writable, else the per-user cache (see <see cref="CompiledModelCache.PathFor"/>).
    /// </summary>
    public string? CompiledModelsDirectory { get; set; }

    /// <summary>Where the compiled form of the model of <paramref name="kind"/> rooted at <paramref name="mainSource"/> lives.</summary>
    public string CompiledPathFor(string kind, string mainSource) =>
        CompiledModelCache.PathFor(kind, mainSource, ModelsDirectory, CompiledModelsDirectory is { Length: > 0 } d ? Resolve(d) : null);

    public string ResolvedLandmarkModelPath => Resolve(LandmarkModelPath);
    public string ResolvedYuNetModelPath => Resolve(YuNetModelPath);
    public string ResolvedHaarCascadePath => Resolve(HaarCascadePath);
    public string ResolvedAuPredictorsDirectory => Resolve(AuPredictorsDirectory);
    public string ResolvedPdmPath => Resolve(PdmPath);
    public string ResolvedTriangulationPath => Resolve(TriangulationPath);
    public string ResolvedClnfModelPath => Resolve(ClnfModelPath);

    /// <summary>Absolute path of a configured model path (absolute paths are kept; relative ones sit under <see cref="ModelsDirectory"/>).</summary>
    public string Resolve(string configuredPath) => Path.GetFullPath(Path.Combine(ModelsDirectory, configuredPath));

    /// <summary>
    /// Checks that the files for <paramref name="parts"/> exist and throws one <see cref="ModelNotFoundException"/> naming
    /// every missing file and the install command. The face detector is satisfied by YuNet or, failing that, the Haar cascade.
    /// </summary>
    public void Validate(AuModelParts parts = AuModelParts.All)
    {
        var missing = new List<MissingModel>();
        void RequireFile(string name, string path)
        {
            if (!File.Exists(path)) missing.Add(new MissingModel(name, path));
        }

        if (parts.HasFlag(AuModelParts.FaceDetector) && !File.Exists(ResolvedYuNetModelPath) && !File.Exists(ResolvedHaarCascadePath))
        {
            missing.Add(new MissingModel("YuNet face detector", ResolvedYuNetModelPath));
            missing.Add(new MissingModel("Haar cascade (fallback face detector)", ResolvedHaarCascadePath));
        }

        if (parts.HasFlag(AuModelParts.Landmarks)) RequireFile("dlib 68-point landmark model", ResolvedLandmarkModelPath);
        if (parts.HasFlag(AuModelParts.AuPredictors))
        {
            RequireFile("OpenFace AU model list (video)", Path.Combine(ResolvedAuPredictorsDirectory, "AU_all_best.txt"));
            RequireFile("OpenFace AU model list (images)", Path.Combine(ResolvedAuPredictorsDirectory, "AU_all_static.txt"));
        }

        if (parts.HasFlag(AuModelParts.ClnfLandmarks) && !File.Exists(ResolvedClnfModelPath))
            missing.Add(new MissingModel("OpenFace CLNF landmark model", ResolvedClnfModelPath, Clnf.ClnfModel.InstallName));
        if (parts.HasFlag(AuModelParts.Pdm)) RequireFile("OpenFace PDM", ResolvedPdmPath);
        if (parts.HasFlag(AuModelParts.Triangulation)) RequireFile("OpenFace face-mask triangulation", ResolvedTriangulationPath);
        if (missing.Count > 0) throw new ModelNotFoundException(missing);
    }
}

/// <summary>Which models a caller needs, for <see cref="AuModelOptions.Validate"/>.</summary>
[Flags]
public enum AuModelParts
{
    None = 0,
    FaceDetector = 1,
    Landmarks = 2,
    AuPredictors = 4,
    Pdm = 8,
    Triangulation = 16,
    ClnfLandmarks = 32,
    All = FaceDetector | Landmarks | AuPredictors | Pdm | Triangulation | ClnfLandmarks,
}

/// <summary>A model file that was looked for and not found; <paramref name="InstallName"/> is its <c>models install</c> entry when known.</summary>
public sealed record MissingModel(string Name, string Path, string? InstallName = null);
