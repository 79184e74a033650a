using OpenCvSharp;

namespace MerFactory.AuEngine.Detection;

/// <summary>
/// Linear map from a detector's output to the square box dlib's HOG frontal face detector gives for the same face,
/// the convention the 68-point landmark model was trained with:
/// side = <see cref="WidthScale"/>·w + <see cref="HeightScale"/>·h,
/// centre = anchor + (<see cref="OffsetX"/>, <see cref="OffsetY"/>)·side, where the anchor is the mean of the
/// detector's key points when <see cref="AnchorOnKeyPoints"/> is set and it gave some, else the box centre.
/// The result is in the <see cref="Landmarks.ShapePredictor"/> convention (dlib rectangle, inclusive right/bottom).
/// </summary>
public sealed record LandmarkBoxMapping(double WidthScale, double HeightScale, double OffsetX, double OffsetY, bool AnchorOnKeyPoints)
{
    /// <summary>No change: the detector already gives dlib-convention boxes.</summary>
    public static LandmarkBoxMapping Identity { get; } = new(1, 0, 0, 0, false);

    /// <summary>
    /// YuNet 2026may: side = 1.05·w, centred on the mean of its five key points. Calibrated on dlib's example faces
    /// (media/dlib_faces, 36 faces) against dlib 19.24's HOG boxes by minimising the landmark error over a grid
    /// (the least-squares box fit, <see cref="Fit"/>, gives 1.094·w and a −0.012·side vertical offset, slightly worse).
    /// YuNet's boxes are taller than dlib's and include the forehead, so its key points anchor the centre better.
    /// </summary>
    public static LandmarkBoxMapping YuNet { get; } = new(1.05, 0, 0, 0, true);

    /// <summary>
    /// OpenCV's haarcascade_frontalface_default: side = 0.925·w, centre moved down by 0.06·side; calibrated the same way
    /// (least-squares fit: 0.915·w, 0.086·side).
    /// </summary>
    public static LandmarkBoxMapping Haar { get; } = new(0.925, 0, 0, 0.06, false);

    public Rect2f Apply(Rect2f detectorBox, IReadOnlyList<Point2f>? keyPoints = null)
    {
        double w = detectorBox.Width, h = detectorBox.Height;
        var side = WidthScale * w + HeightScale * h;
        double anchorX = detectorBox.X + w / 2, anchorY = detectorBox.Y + h / 2;
        if (AnchorOnKeyPoints && keyPoints is { Count: > 0 })
        {
            anchorX = keyPoints.Average(p => (double)p.X);
            anchorY = keyPoints.Average(p => (double)p.Y);
        }

        var centreX = anchorX + OffsetX * side;
        var centreY = anchorY + OffsetY * side;
        return new Rect2f((float)(centreX - side / 2), (float)(centreY - side / 2), (float)side, (float)side);
    }

    /// <summary>
    /// Least-squares fit from (detector box, key points, dlib box) triples for the same faces, keeping
    /// <see cref="AnchorOnKeyPoints"/> and the width-only or width-and-height form of the template:
    /// the side is regressed on w (and h), then the offsets are the mean anchor-to-centre shift in units of the side.
    /// </summary>
    public static LandmarkBoxMapping Fit(IReadOnlyList<BoxPair> pairs, bool anchorOnKeyPoints, bool useHeight)
    {
        if (pairs.Count == 0) throw new ArgumentException("At least one box pair is needed to fit a mapping.", nameof(pairs));
        double sww = 0, swh = 0, shh = 0, sws = 0, shs = 0;
        foreach (var pair in pairs)
        {
            double w = pair.Detector.Width, h = pair.Detector.Height, s = (pair.Dlib.Width + pair.Dlib.Height) / 2.0;
            sww += w * w;
            swh += w * h;
            shh += h * h;
            sws += w * s;
            shs += h * s;
        }

        double widthScale, heightScale = 0;
        if (useHeight)
        {
            var det = sww * shh - swh * swh;
            widthScale = (sws * shh - shs * swh) / det;
            heightScale = (shs * sww - sws * swh) / det;
        }
        else
        {
            widthScale = sws / sww;
        }

        var shape = new LandmarkBoxMapping(widthScale, heightScale, 0, 0, anchorOnKeyPoints);
        double offsetX = 0, offsetY = 0;
        foreach (var pair in pairs)
        {
            var anchored = shape.Apply(pair.Detector, pair.KeyPoints);
            offsetX += (pair.Dlib.X + pair.Dlib.Width / 2.0 - (anchored.X + anchored.Width / 2.0)) / anchored.Width;
            offsetY += (pair.Dlib.Y + pair.Dlib.Height / 2.0 - (anchored.Y + anchored.Height / 2.0)) / anchored.Height;
        }

        return shape with { OffsetX = offsetX / pairs.Count, OffsetY = offsetY / pairs.Count };
    }
}

/// <summary>A detector's box and key points and dlib's box for the same face, for <see cref="LandmarkBoxMapping.Fit"/>.</summary>
public sealed record BoxPair(Rect2f Detector, IReadOnlyList<Point2f> KeyPoints, Rect2f Dlib);
