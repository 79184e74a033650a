namespace MerFactory.AuEngine.Pipeline;

/// <summary>Where the engine finds its models; bind from configuration (section "AuEngine").</summary>
public sealed class AuEngineOptions
{
    public const string SectionName = "AuEngine";

    /// <summary>Folder holding OpenFace's AU_predictors/, In-the-wild_aligned_PDM_68.txt and tris_68_full.txt.</summary>
    public string OpenFaceModelDirectory { get; set; } = "";

    /// <summary>YuNet face detector (ONNX).</summary>
    public string? FaceDetectorModelPath { get; set; }

    /// <summary>dlib 68-point shape predictor (.dat).</summary>
    public string? LandmarkModelPath { get; set; } = "/usr/share/dlib/shape_predictor_68_face_landmarks.dat";

    /// <summary>Frames analysed concurrently; defaults to the processor count.</summary>
    public int MaxDegreeOfParallelism { get; set; } = Environment.ProcessorCount;
}

/// <summary>Per-run choices.</summary>
public sealed class AuRunOptions
{
    /// <summary>Analyse this many frames per second of video; null analyses every frame.</summary>
    public double? SampleFps { get; set; }

    /// <summary>Analyse every tracked face (face_id per track) instead of only the main (largest) face.</summary>
    public bool AllFaces { get; set; }

    /// <summary>Return the 68 landmarks and PDM pose with each row.</summary>
    public bool IncludeLandmarks { get; set; }
}
