using MerFactory.AuEngine.Models;
using OpenCvSharp;

namespace MerFactory.AuEngine.Detection;

/// <summary>
/// YuNet (ONNX) through OpenCV's <see cref="FaceDetectorYN"/>. OpenCvSharp exposes no setInputSize, so one native
/// detector is kept per frame size (videos keep one size). Detect is serialised: the native object is not thread-safe.
/// </summary>
public sealed class YuNetFaceDetector : IFaceDetector
{
    // YuNet's output row: box x, y, w, h; five key points (x, y); score.
    private const int OutputColumns = 15;

    private readonly string modelPath;
    private readonly FaceDetectionOptions options;
    private readonly LandmarkBoxMapping mapping;
    private readonly Lock gate = new();
    private FaceDetectorYN? detector;
    private Size detectorSize;

    private YuNetFaceDetector(string modelPath, FaceDetectionOptions options, FaceDetectorYN detector, Size size)
    {
        this.modelPath = modelPath;
        this.options = options;
        mapping = options.YuNetMapping ?? LandmarkBoxMapping.YuNet;
        this.detector = detector;
        detectorSize = size;
    }

    public string Name => "YuNet";

    /// <summary>Loads the model; a missing file gives <see cref="ModelNotFoundException"/>, an unreadable one <see cref="CorruptModelException"/>.</summary>
    public static YuNetFaceDetector Create(string modelPath, FaceDetectionOptions? options = null)
    {
        options ??= new FaceDetectionOptions();
        if (!File.Exists(modelPath)) throw new ModelNotFoundException("YuNet face detector", modelPath);
        var initialSize = new Size(320, 320);
        return new YuNetFaceDetector(modelPath, options, CreateNative(modelPath, options, initialSize), initialSize);
    }

    public IReadOnlyList<DetectedFace> Detect(Mat image)
    {
        ArgumentNullException.ThrowIfNull(image);
        if (image.Empty() || image.Cols < options.MinFaceSize || image.Rows < options.MinFaceSize) return [];
        using var converted = ImageChannels.ToBgr(image, out var bgr);
        using var output = new Mat();

        // Optional downscale: YuNet's cost grows with the pixel count, and faces big enough for landmarks survive it.
        var longSide = Math.Max(bgr.Cols, bgr.Rows);
        var scale = options.MaxDetectionSide > 0 && longSide > options.MaxDetectionSide ? (double)options.MaxDetectionSide / longSide : 1.0;
        using var resized = scale < 1.0 ? new Mat() : null;
        if (resized is not null)
        {
            Cv2.Resize(bgr, resized, new Size(Math.Max(1, (int)Math.Round(bgr.Cols * scale)), Math.Max(1, (int)Math.Round(bgr.Rows * scale))), interpolation: InterpolationFlags.Area);
            bgr = resized;
        }

        lock (gate)
        {
            ObjectDisposedException.ThrowIf(detector is null, this);
            var size = new Size(bgr.Cols, bgr.Rows);
            if (size != detectorSize)
            {
                detector.Dispose();
                detector = null;
                detector = CreateNative(modelPath, options, size);
                detectorSize = size;
            }

            detector.Detect(bgr, output);
        }

        return ReadFaces(output, 1.0 / scale);
    }

    private List<DetectedFace> ReadFaces(Mat output, double toImage)
    {
        var faces = new List<DetectedFace>();
        if (output.Empty()) return faces;
        if (output.Cols < OutputColumns || output.Type() != MatType.CV_32FC1)
            throw new InvalidOperationException($"YuNet model '{modelPath}' returned a {output.Rows}x{output.Cols} {output.Type()} result; expected N x {OutputColumns} float.");
        var rows = output.Rows;
        var columns = output.Cols;
        using var continuous = output.IsContinuous() ? null : output.Clone();
        ReadOnlySpan<float> values = (continuous ?? output).AsSpan<float>();
        for (var r = 0; r < rows; r++)
        {
            var row = values.Slice(r * columns, OutputColumns);
            var f = (float)toImage;
            var box = new Rect2f(row[0] * f, row[1] * f, row[2] * f, row[3] * f);
            if (box.Width < options.MinFaceSize || box.Height < options.MinFaceSize) continue;
            var keyPoints = new Point2f[5];
            for (var k = 0; k < 5; k++) keyPoints[k] = new Point2f(row[4 + 2 * k] * f, row[5 + 2 * k] * f);
            faces.Add(new DetectedFace(box, row[14], keyPoints, mapping.Apply(box, keyPoints)));
        }

        return FaceOrder.Sort(faces);
    }

    private static FaceDetectorYN CreateNative(string modelPath, FaceDetectionOptions options, Size size)
    {
        try
        {
            return FaceDetectorYN.Create(modelPath, "", size, options.ScoreThreshold, options.NmsThreshold, options.TopK);
        }
        catch (Exception e) when (e is OpenCVException or OpenCvSharpException or AccessViolationException)
        {
            throw new CorruptModelException(modelPath, $"OpenCV cannot load it as a YuNet ONNX model ({e.Message.Trim()})", e);
        }
    }

    public void Dispose()
    {
        lock (gate)
        {
            detector?.Dispose();
            detector = null;
        }
    }
}
