using MerFactory.AuEngine.Detection;
using MerFactory.AuEngine.Landmarks;
using MerFactory.AuEngine.Models;
using MerFactory.Testing;
using OpenCvSharp;

namespace MerFactory.AuEngine.Tests;

/// <summary>Detection and landmarks on awkward input: no face, tiny frames, gray and BGRA frames, bad boxes.</summary>
public sealed class DetectionBadInputTests
{
    private static YuNetFaceDetector CreateYuNet() => YuNetFaceDetector.Create(SharedData.DataPath("models", AuModelOptions.YuNetFileName));

    private static Mat SceneWithoutFaces()
    {
        // Noise, shapes and text: texture a detector could trip on, but no face.
        var scene = new Mat(480, 640, MatType.CV_8UC3);
        Cv2.Randu(scene, Scalar.All(0), Scalar.All(255));
        Cv2.GaussianBlur(scene, scene, new Size(9, 9), 3);
        Cv2.Rectangle(scene, new Rect(50, 60, 200, 150), Scalar.Blue, -1);
        Cv2.Circle(scene, new Point(420, 240), 90, Scalar.Yellow, -1);
        Cv2.PutText(scene, "no face here", new Point(80, 420), HersheyFonts.HersheySimplex, 1.5, Scalar.White, 3);
        return scene;
    }

    [Fact]
    public void Image_without_a_face_gives_an_empty_list()
    {
        using var scene = SceneWithoutFaces();
        using var yunet = CreateYuNet();
        using var haar = HaarFaceDetector.Create(AuModelOptions.DebianHaarCascade);
        Assert.Empty(yunet.Detect(scene));
        Assert.Empty(haar.Detect(scene));
    }

    [Theory]
    [InlineData(1, 1)]
    [InlineData(8, 8)]
    [InlineData(33, 17)]
    [InlineData(64, 48)]
    public void Tiny_images_give_an_empty_list(int width, int height)
    {
        using var tiny = new Mat(height, width, MatType.CV_8UC3, Scalar.All(128));
        using var yunet = CreateYuNet();
        using var haar = HaarFaceDetector.Create(AuModelOptions.DebianHaarCascade);
        Assert.Empty(yunet.Detect(tiny));
        Assert.Empty(haar.Detect(tiny));
    }

    [Fact]
    public void Empty_image_gives_an_empty_list()
    {
        using var empty = new Mat();
        using var yunet = CreateYuNet();
        Assert.Empty(yunet.Detect(empty));
    }

    [Fact]
    public void Grayscale_image_finds_the_face_and_its_landmarks()
    {
        var path = SharedData.DataPath("media", "pyfeat", "single_face.jpg");
        using var colour = Cv2.ImRead(path, ImreadModes.Color);
        using var gray = Cv2.ImRead(path, ImreadModes.Grayscale);
        using var yunet = CreateYuNet();
        var fromColour = Assert.Single(yunet.Detect(colour));
        var fromGray = Assert.Single(yunet.Detect(gray));
        Assert.True(IoU(fromColour.Box, fromGray.Box) > 0.8);

        var predictor = LandmarksTestData.Predictor;
        var colourPoints = predictor.Predict(colour, fromColour.LandmarkBox);
        var grayPoints = predictor.Predict(gray, fromGray.LandmarkBox);
        var meanError = colourPoints.Zip(grayPoints, LandmarksTestData.Distance).Average();
        var iod = LandmarksTestData.Distance(colourPoints[36], colourPoints[45]);
        Assert.True(meanError < 0.03 * iod, $"gray landmarks are {meanError:F2} px from colour ones (IOD {iod:F0} px)");
    }

    [Fact]
    public void Colour_pixels_are_read_as_dlib_gray_the_integer_mean_of_r_g_b()
    {
        // dlib reads an RGB pixel as (r+g+b)/3, not OpenCV's weighted luma: a gray image built that way must give identical landmarks.
        using var colour = Cv2.ImRead(SharedData.DataPath("media", "pyfeat", "single_face.jpg"), ImreadModes.Color);
        using var dlibGray = new Mat(colour.Rows, colour.Cols, MatType.CV_8UC1);
        var bgr = colour.AsSpan<byte>();
        var gray = dlibGray.AsSpan<byte>();
        for (var i = 0; i < gray.Length; i++) gray[i] = (byte)((bgr[3 * i] + bgr[3 * i + 1] + bgr[3 * i + 2]) / 3);

        using var bgra = new Mat();
        Cv2.CvtColor(colour, bgra, ColorConversionCodes.BGR2BGRA);
        var face = LandmarksTestData.ReferenceFaces.First(f => f.Image == "single_face.jpg");
        var predictor = LandmarksTestData.Predictor;
        var fromColour = predictor.Predict(colour, face.Box);
        Assert.Equal(fromColour, predictor.Predict(dlibGray, face.Box));
        Assert.Equal(fromColour, predictor.Predict(bgra, face.Box));

        using var luma = new Mat();
        Cv2.CvtColor(colour, luma, ColorConversionCodes.BGR2GRAY);
        Assert.NotEqual(fromColour, predictor.Predict(luma, face.Box));
    }

    [Fact]
    public void Landmarks_on_a_box_partly_or_wholly_outside_the_image_do_not_crash()
    {
        var predictor = LandmarksTestData.Predictor;
        using var tiny = new Mat(4, 4, MatType.CV_8UC1, Scalar.All(90));
        var points = predictor.Predict(tiny, new Rect2f(-50, -50, 120, 120));
        Assert.Equal(68, points.Length);
        Assert.All(points, p => Assert.True(float.IsFinite(p.X) && float.IsFinite(p.Y)));

        using var scene = SceneWithoutFaces();
        Assert.Equal(68, predictor.Predict(scene, new Rect2f(5000, 5000, 100, 100)).Length);
    }

    [Fact]
    public void Invalid_boxes_and_images_are_rejected_with_a_clear_error()
    {
        var predictor = LandmarksTestData.Predictor;
        using var image = new Mat(100, 100, MatType.CV_8UC3, Scalar.All(0));
        Assert.Throws<ArgumentException>(() => predictor.Predict(image, new Rect2f(10, 10, 0, 50)));
        Assert.Throws<ArgumentException>(() => predictor.Predict(image, new Rect2f(float.NaN, 10, 50, 50)));
        using var deep = new Mat(100, 100, MatType.CV_16UC1, Scalar.All(0));
        Assert.Throws<ArgumentException>(() => predictor.Predict(deep, new Rect2f(10, 10, 50, 50)));
        using var empty = new Mat();
        Assert.Throws<ArgumentException>(() => predictor.Predict(empty, new Rect2f(10, 10, 50, 50)));
    }

    [Fact]
    public void Several_faces_come_back_largest_first_in_the_same_order_every_time()
    {
        using var image = Cv2.ImRead(SharedData.DataPath("media", "pyfeat", "multi_face.jpg"), ImreadModes.Color);
        using var yunet = CreateYuNet();
        var first = yunet.Detect(image);
        var second = yunet.Detect(image);
        Assert.Equal(5, first.Count); // five people; dlib's HOG detector finds only 4 (it misses the one in sunglasses)
        Assert.Equal(first.Select(f => f.Box), second.Select(f => f.Box));
        Assert.Equal(first.OrderByDescending(f => f.Area).Select(f => f.Box), first.Select(f => f.Box));
        Assert.All(first, f =>
        {
            Assert.InRange(f.Score, 0.7f, 1f);
            Assert.Equal(5, f.KeyPoints.Count);
            Assert.True(f.LandmarkBox.Contains(f.KeyPoints[2]), "the nose tip lies inside the landmark box");
        });
    }

    [Fact]
    public void Detector_follows_frame_size_changes()
    {
        using var yunet = CreateYuNet();
        using var large = Cv2.ImRead(SharedData.DataPath("media", "pyfeat", "single_face.jpg"), ImreadModes.Color);
        using var small = new Mat();
        Cv2.Resize(large, small, new Size(large.Cols / 2, large.Rows / 2));
        var big = Assert.Single(yunet.Detect(large));
        var half = Assert.Single(yunet.Detect(small));
        Assert.InRange(half.Box.Width / big.Box.Width, 0.4, 0.6);
        Assert.Single(yunet.Detect(large));
    }

    [Fact]
    public void Downscaled_detection_returns_boxes_in_full_image_coordinates()
    {
        using var image = Cv2.ImRead(SharedData.DataPath("media", "pyfeat", "single_face.jpg"), ImreadModes.Color);
        using var full = CreateYuNet();
        using var reduced = YuNetFaceDetector.Create(SharedData.DataPath("models", AuModelOptions.YuNetFileName), new FaceDetectionOptions { MaxDetectionSide = 256 });
        Assert.True(Math.Max(image.Cols, image.Rows) > 256);
        var fullFace = Assert.Single(full.Detect(image));
        var reducedFace = Assert.Single(reduced.Detect(image));
        Assert.True(IoU(fullFace.Box, reducedFace.Box) > 0.85, $"{fullFace.Box} vs {reducedFace.Box}");
        Assert.True(LandmarksTestData.Distance(fullFace.KeyPoints[2], reducedFace.KeyPoints[2]) < 0.05 * fullFace.Box.Width);
    }

    private static double IoU(Rect2f a, Rect2f b)
    {
        var x1 = Math.Max(a.X, b.X);
        var y1 = Math.Max(a.Y, b.Y);
        var x2 = Math.Min(a.X + a.Width, b.X + b.Width);
        var y2 = Math.Min(a.Y + a.Height, b.Y + b.Height);
        var inter = Math.Max(0, x2 - x1) * Math.Max(0, y2 - y1);
        return inter / (a.Width * a.Height + b.Width * b.Height - inter);
    }
}
