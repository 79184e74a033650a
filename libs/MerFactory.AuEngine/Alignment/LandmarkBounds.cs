namespace MerFactory.AuEngine.Alignment;

/// <summary>Extent of a landmark set stored as x0..x(n-1), y0..y(n-1).</summary>
public readonly record struct LandmarkBounds(double MinX, double MaxX, double MinY, double MaxY)
{
    public double Width => MaxX - MinX;
    public double Height => MaxY - MinY;

    public static LandmarkBounds Of(ReadOnlySpan<double> landmarks)
    {
        var n = landmarks.Length / 2;
        double minX = double.MaxValue, maxX = double.MinValue, minY = double.MaxValue, maxY = double.MinValue;
        for (var i = 0; i < n; i++)
        {
            minX = Math.Min(minX, landmarks[i]);
            maxX = Math.Max(maxX, landmarks[i]);
            minY = Math.Min(minY, landmarks[i + n]);
            maxY = Math.Max(maxY, landmarks[i + n]);
        }
        return new LandmarkBounds(minX, maxX, minY, maxY);
    }
}
