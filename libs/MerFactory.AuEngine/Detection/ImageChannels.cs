using OpenCvSharp;

namespace MerFactory.AuEngine.Detection;

internal static class ImageChannels
{
    /// <summary>The image as 3-channel BGR: itself when it already is (returns null to dispose), else a converted copy.</summary>
    public static Mat? ToBgr(Mat image, out Mat bgr)
    {
        RequireEightBit(image);
        switch (image.Channels())
        {
            case 3:
                bgr = image;
                return null;
            case 1:
                bgr = new Mat();
                Cv2.CvtColor(image, bgr, ColorConversionCodes.GRAY2BGR);
                return bgr;
            case 4:
                bgr = new Mat();
                Cv2.CvtColor(image, bgr, ColorConversionCodes.BGRA2BGR);
                return bgr;
            default:
                throw new ArgumentException($"Expected a gray, BGR or BGRA image, got {image.Channels()} channels.", nameof(image));
        }
    }

    /// <summary>A new 8-bit gray copy of the image.</summary>
    public static Mat ToGray(Mat image)
    {
        RequireEightBit(image);
        var gray = new Mat();
        switch (image.Channels())
        {
            case 1: image.CopyTo(gray); break;
            case 3: Cv2.CvtColor(image, gray, ColorConversionCodes.BGR2GRAY); break;
            case 4: Cv2.CvtColor(image, gray, ColorConversionCodes.BGRA2GRAY); break;
            default: throw new ArgumentException($"Expected a gray, BGR or BGRA image, got {image.Channels()} channels.", nameof(image));
        }

        return gray;
    }

    private static void RequireEightBit(Mat image)
    {
        if (image.Depth() != MatType.CV_8U) throw new ArgumentException($"Expected an 8-bit image, got {image.Type()}.", nameof(image));
    }
}
