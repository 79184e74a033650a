using MerFactory.AuEngine.Landmarks;
using MerFactory.AuEngine.Pipeline;
using OpenCvSharp;

namespace MerFactory.AuEngine.Tests;

internal sealed class ScratchYuNetSource(string yunetPath, ShapePredictor predictor, double scale, double dy) : ILandmarkSource
{
    private FaceDetectorYN? _detector;
    private Size _size;

    public IReadOnlyList<LocatedFace> Detect(Mat bgrFrame, int frameIndex)
    {
        if (_detector is null || _size != bgrFrame.Size())
        {
            _detector?.Dispose();
            _size = bgrFrame.Size();
            _detector = FaceDetectorYN.Create(yunetPath, "", _size, 0.7f, 0.3f, 5000);
        }
        using var faces = new Mat();
        _detector.Detect(bgrFrame, faces);
        var result = new List<LocatedFace>();
        var count = faces.Rows;
        for (var i = 0; i < count; i++)
        {
            float x = faces.At<float>(i, 0), y = faces.At<float>(i, 1), w = faces.At<float>(i, 2), h = faces.At<float>(i, 3);
            var side = (float)(w * scale);
            var cx = x + w / 2;
            var cy = (float)(y + h / 2 + dy * side);
            var box = new Rect2f(cx - side / 2, cy - side / 2, side, side);
            var points = predictor.Predict(bgrFrame, box);
            var landmarks = new double[136];
            for (var k = 0; k < 68; k++) { landmarks[k] = points[k].X; landmarks[k + 68] = points[k].Y; }
            result.Add(new LocatedFace(new Rect2d(x, y, w, h), faces.At<float>(i, 14), landmarks));
        }
        return result;
    }

    public void Dispose() => _detector?.Dispose();
}
