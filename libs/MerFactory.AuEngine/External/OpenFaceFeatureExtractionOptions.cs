namespace MerFactory.AuEngine.External;

/// <summary>
/// Settings of the external OpenFace engine (MER-Factory's OPENFACE_EXECUTABLE), bound from the "OpenFace" section.
/// </summary>
public sealed class OpenFaceFeatureExtractionOptions
{
    public const string SectionName = "OpenFace";

    /// <summary>Path of OpenFace's <c>FeatureExtraction</c> binary.</summary>
    public string? ExecutablePath { get; set; }

    /// <summary>Arguments added after MER-Factory's <c>-f IN -out_dir DIR -aus</c>, e.g. "-pose", "-2Dfp".</summary>
    public IList<string> ExtraArguments { get; set; } = [];

    /// <summary>Longest a run may take before it is killed; null = no limit.</summary>
    public TimeSpan? Timeout { get; set; }

    /// <summary>How much of the end of stderr is kept in error messages.</summary>
    public int ErrorTailCharacters { get; set; } = 4000;
}
