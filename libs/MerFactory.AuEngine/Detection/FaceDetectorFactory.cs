using MerFactory.AuEngine.Models;

namespace MerFactory.AuEngine.Detection;

/// <summary>Picks the face detector from the configured models: YuNet when installed, else the Haar cascade.</summary>
public static class FaceDetectorFactory
{
    /// <summary>
    /// YuNet if its model file exists, otherwise the Haar cascade; <see cref="ModelNotFoundException"/> naming both when
    /// neither exists. A YuNet file that exists but is corrupt is an error, not a silent fallback.
    /// Check <see cref="IFaceDetector.Name"/> to log which one is in use.
    /// </summary>
    public static IFaceDetector Create(AuModelOptions models, FaceDetectionOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(models);
        OpenCvSetup.EnsureConfigured();
        var yunet = models.ResolvedYuNetModelPath;
        if (File.Exists(yunet)) return YuNetFaceDetector.Create(yunet, options);
        var haar = models.ResolvedHaarCascadePath;
        if (File.Exists(haar)) return HaarFaceDetector.Create(haar, options);
        throw new ModelNotFoundException([
            new MissingModel("YuNet face detector", yunet),
            new MissingModel("Haar cascade (fallback face detector)", haar),
        ]);
    }
}
