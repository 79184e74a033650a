using System.Runtime.CompilerServices;
using OpenCvSharp;

namespace MerFactory.AuEngine.Clnf;

/// <summary>An 8-bit grayscale frame as floats, the image the patch experts sample (OpenFace fits on BGR→gray).</summary>
public sealed class GrayImage
{
    public GrayImage(float[] pixels, int width, int height)
    {
        if (pixels.Length < width * height) throw new ArgumentException("too few pixels for the size", nameof(pixels));
        Pixels = pixels;
        Width = width;
        Height = height;
    }

    public float[] Pixels { get; }
    public int Width { get; }
    public int Height { get; }

    /// <summary>Converts a BGR, BGRA or gray 8-bit frame; reuses <paramref name="reuse"/>'s pixel buffer when it is large enough.</summary>
    public static GrayImage FromMat(Mat frame, GrayImage? reuse = null) => FromMatInto(frame, reuse?.Pixels);

    /// <summary>Converts a BGR, BGRA or gray 8-bit frame into <paramref name="buffer"/> when it is large enough.</summary>
    public static GrayImage FromMatInto(Mat frame, float[]? buffer)
    {
        using var gray = new Mat();
        using var floats = new Mat();
        var channels = frame.Channels();
        if (channels == 1) frame.CopyTo(gray);
        else Cv2.CvtColor(frame, gray, channels == 4 ? ColorConversionCodes.BGRA2GRAY : ColorConversionCodes.BGR2GRAY);
        // The conversion to float runs in OpenCV (SIMD), then one copy per row into the managed buffer.
        gray.ConvertTo(floats, MatType.CV_32FC1);
        int rows = floats.Rows, cols = floats.Cols;
        var pixels = buffer is not null && buffer.Length >= rows * cols ? buffer : new float[rows * cols];
        for (var y = 0; y < rows; y++) System.Runtime.InteropServices.Marshal.Copy(floats.Ptr(y), pixels, y * cols, cols);
        return new GrayImage(pixels, cols, rows);
    }

    /// <summary>
    /// Samples a square area through a similarity (a, −b; b, a) centred on (cx, cy), as OpenCV's warpAffine with
    /// WARP_INVERSE_MAP and bilinear interpolation does: source positions on a 1/32-pixel grid, zero outside the image.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void SampleSquare(double cx, double cy, double a, double b, int side, Span<float> output)
    {
        var half = (side - 1) / 2.0;
        var tx = cx - a * half + b * half;
        var ty = cy - a * half - b * half;
        var pixels = Pixels;
        // Corners bound the sampled area (an affine map): when it lies inside the image, skip the per-pixel checks.
        var last = side - 1;
        double minX = Math.Min(Math.Min(tx, a * last + tx), Math.Min(-b * last + tx, a * last - b * last + tx));
        double maxX = Math.Max(Math.Max(tx, a * last + tx), Math.Max(-b * last + tx, a * last - b * last + tx));
        double minY = Math.Min(Math.Min(ty, b * last + ty), Math.Min(a * last + ty, b * last + a * last + ty));
        double maxY = Math.Max(Math.Max(ty, b * last + ty), Math.Max(a * last + ty, b * last + a * last + ty));
        if (minX >= 0 && minY >= 0 && maxX < Width - 2 && maxY < Height - 2)
        {
            SampleInside(tx, ty, a, b, side, output);
            return;
        }
        for (var v = 0; v < side; v++)
        for (var u = 0; u < side; u++)
        {
            var sx = a * u - b * v + tx;
            var sy = b * u + a * v + ty;
            var qx = (int)Math.Round(sx * 32);
            var qy = (int)Math.Round(sy * 32);
            int x0 = qx >> 5, y0 = qy >> 5;
            var fx = (qx & 31) / 32f;
            var fy = (qy & 31) / 32f;
            float p00 = At(pixels, x0, y0), p10 = At(pixels, x0 + 1, y0), p01 = At(pixels, x0, y0 + 1), p11 = At(pixels, x0 + 1, y0 + 1);
            output[v * side + u] = (1 - fy) * ((1 - fx) * p00 + fx * p10) + fy * ((1 - fx) * p01 + fx * p11);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void SampleInside(double tx, double ty, double a, double b, int side, Span<float> output)
    {
        var pixels = Pixels;
        var width = Width;
        for (var v = 0; v < side; v++)
        for (var u = 0; u < side; u++)
        {
            var qx = (int)Math.Round((a * u - b * v + tx) * 32);
            var qy = (int)Math.Round((b * u + a * v + ty) * 32);
            var index = (qy >> 5) * width + (qx >> 5);
            var fx = (qx & 31) / 32f;
            var fy = (qy & 31) / 32f;
            float p00 = pixels[index], p10 = pixels[index + 1], p01 = pixels[index + width], p11 = pixels[index + width + 1];
            output[v * side + u] = (1 - fy) * ((1 - fx) * p00 + fx * p10) + fy * ((1 - fx) * p01 + fx * p11);
        }
    }

    /// <summary>One bilinear sample as OpenCV's remap takes it: the position on a 1/32-pixel grid, zero outside the image.</summary>
    public float SampleBilinear(double x, double y)
    {
        var qx = (int)Math.Round(x * 32);
        var qy = (int)Math.Round(y * 32);
        int x0 = qx >> 5, y0 = qy >> 5;
        var fx = (qx & 31) / 32f;
        var fy = (qy & 31) / 32f;
        var pixels = Pixels;
        float p00 = At(pixels, x0, y0), p10 = At(pixels, x0 + 1, y0), p01 = At(pixels, x0, y0 + 1), p11 = At(pixels, x0 + 1, y0 + 1);
        return (1 - fy) * ((1 - fx) * p00 + fx * p10) + fy * ((1 - fx) * p01 + fx * p11);
    }

    private float At(float[] pixels, int x, int y) =>
        (uint)x < (uint)Width && (uint)y < (uint)Height ? pixels[y * Width + x] : 0f;
}
