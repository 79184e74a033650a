using MerFactory.AuEngine.Models;
using OpenCvSharp;

namespace MerFactory.AuEngine.Detection;

/// <summary>
/// OpenCV Haar cascade (Debian opencv-data), the fallback when YuNet is not installed. Gives no key points;
/// the score is the cascade's level weight (larger = more confident, not a probability).
/// </summary>
public sealed class HaarFaceDetector : IFaceDetector
{
    private readonly CascadeClassifier cascade;
    private readonly FaceDetectionOptions options;
    private readonly LandmarkBoxMapping mapping;
    private readonly Lock gate = new();

    private HaarFaceDetector(CascadeClassifier cascade, FaceDetectionOptions options)
    {
        this.cascade = cascade;
        this.options = options;
        mapping = options.HaarMapping ?? LandmarkBoxMapping.Haar;
    }

    public string Name => "Haar";

    public static HaarFaceDetector Create(string cascadePath, FaceDetectionOptions? options = null)
    {
        if (!File.Exists(cascadePath)) throw new ModelNotFoundException("Haar cascade face detector", cascadePath);
        var cascade = new CascadeClassifier();
        bool loaded;
        try
        {
            loaded = cascade.Load(cascadePath);
        }
        catch (Exception e) when (e is OpenCVException or OpenCvSharpException)
        {
            cascade.Dispose();
            throw new CorruptModelException(cascadePath, $"OpenCV cannot read it as a cascade classifier ({e.Message.Trim()})", e);
        }

        if (!loaded || cascade.Empty())
        {
            cascade.Dispose();
            throw new CorruptModelException(cascadePath, "OpenCV cannot read it as a cascade classifier XML");
        }

        return new HaarFaceDetector(cascade, options ?? new FaceDetectionOptions());
    }

    public IReadOnlyList<DetectedFace> Detect(Mat image)
    {
        ArgumentNullException.ThrowIfNull(image);
        if (image.Empty() || image.Cols < options.MinFaceSize || image.Rows < options.MinFaceSize) return [];
        using var gray = ImageChannels.ToGray(image);
        Cv2.EqualizeHist(gray, gray);
        Rect[] boxes;
        double[] weights;
        lock (gate)
        {
            boxes = cascade.DetectMultiScale(gray, out _, out weights, options.HaarScaleFactor, options.HaarMinNeighbors,
                HaarDetectionTypes.ScaleImage, new Size(options.MinFaceSize, options.MinFaceSize), null, outputRejectLevels: true);
        }

        var faces = new List<DetectedFace>(boxes.Length);
        for (var i = 0; i < boxes.Length; i++)
        {
            var box = new Rect2f(boxes[i].X, boxes[i].Y, boxes[i].Width, boxes[i].Height);
            var score = i < weights.Length ? (float)weights[i] : 0f;
            faces.Add(new DetectedFace(box, score, [], mapping.Apply(box)));
        }

        return FaceOrder.Sort(faces);
    }

    public void Dispose() => cascade.Dispose();
}
