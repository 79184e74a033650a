namespace MerFactory.AuEngine.Pipeline;

/// <summary>How the engine runs (model paths are in <see cref="Models.AuModelOptions"/>); bound from section "AuEngine".</summary>
public sealed class AuEngineOptions
{
    public const string SectionName = "AuEngine";

    /// <summary>Frames analysed concurrently; defaults to the processor count.</summary>
    public int MaxDegreeOfParallelism { get; set; } = Environment.ProcessorCount;


    /// <summary>
    /// Run the face detector on every n-th analysed frame; frames in between start the landmark model from the last
    /// detected box, moved as far as the face's landmarks have moved since (detection is the costliest stage of dlib
    /// landmarks). 1 detects on every frame. CLNF video tracking needs the detector only to (re)initialise.
    /// </summary>
    public int DetectionInterval { get; set; } = 3;

    /// <summary>
    /// Landmark method: <see cref="LandmarkMethod.Clnf"/> (OpenFace's own CLNF fit and video tracking, the default: AUs
    /// then agree with OpenFace's) or <see cref="LandmarkMethod.Dlib"/> (dlib's ERT, faster, less faithful).
    /// </summary>
    public LandmarkMethod Landmarks { get; set; } = LandmarkMethod.Clnf;

    /// <summary>Align faces on the fitted face-model shape instead of the raw landmarks (see <see cref="Features.FaceFeatureExtractor"/>).</summary>
    public bool AlignOnModelShape { get; set; } = true;

    /// <summary>
    /// Decoder of video frames. <see cref="Pipeline.VideoDecoder.Ffmpeg"/> (default) gives the pixels OpenFace's
    /// FeatureExtraction saw; OpenCV's bundled decoder converts colours slightly differently, enough to move emotion peaks.
    /// </summary>
    public VideoDecoder VideoDecoder { get; set; } = VideoDecoder.Ffmpeg;

    /// <summary>The ffmpeg program for <see cref="Pipeline.VideoDecoder.Ffmpeg"/>; when it cannot be started, OpenCV decodes.</summary>
    public string FfmpegPath { get; set; } = "ffmpeg";
}

/// <summary>Where the 68 landmarks come from.</summary>
public enum LandmarkMethod
{
    Clnf,
    Dlib,
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
