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
        var longSide = Math.Max(gray.Cols, gray.Rows);
        var scale = options.MaxDetectionSide > 0 && longSide > options.MaxDetectionSide ? (double)options.MaxDetectionSide / longSide : 1.0;
        if (scale < 1.0)
        {
            Cv2.Resize(gray, gray, new Size(Math.Max(1, (int)Math.Round(gray.Cols * scale)), Math.Max(1, (int)Math.Round(gray.Rows * scale))), interpolation: InterpolationFlags.Area);
        }

        Cv2.EqualizeHist(gray, gray);
        var minSide = Math.Max(1, (int)Math.Round(options.MinFaceSize * scale));
        Rect[] boxes;
        double[] weights;
        lock (gate)
        {
            boxes = cascade.DetectMultiScale(gray, out _, out weights, options.HaarScaleFactor, options.HaarMinNeighbors,
                HaarDetectionTypes.ScaleImage, new Size(minSide, minSide), null, outputRejectLevels: true);
        }

        var faces = new List<DetectedFace>(boxes.Length);
        for (var i = 0; i < boxes.Length; i++)
        {
            var f = (float)(1.0 / scale);
            var box = new Rect2f(boxes[i].X * f, boxes[i].Y * f, boxes[i].Width * f, boxes[i].Height * f);
            var score = i < weights.Length ? (float)weights[i] : 0f;
            faces.Add(new DetectedFace(box, score, [], mapping.Apply(box)));
        }

        return FaceOrder.Sort(faces);
    }

    public void Dispose() => cascade.Dispose();
}
