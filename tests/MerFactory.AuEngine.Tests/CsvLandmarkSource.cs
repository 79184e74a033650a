using MerFactory.AuEngine.Pipeline;
using OpenCvSharp;

namespace MerFactory.AuEngine.Tests;

/// <summary>Landmarks taken from an OpenFace reference CSV (its CLNF tracker), by frame index: isolates our AU stages.</summary>
internal sealed class CsvLandmarkSource(ReferenceCsv csv) : ILandmarkSource
{
    public IReadOnlyList<LocatedFace> Detect(Mat bgrFrame, int frameIndex)
    {
        if (frameIndex >= csv.Rows.Count || csv.Get(frameIndex, "success") < 1) return [];
        var landmarks = csv.Landmarks(frameIndex);
        var xs = landmarks.Take(68).ToArray();
        var ys = landmarks.Skip(68).ToArray();
        var box = new Rect2d(xs.Min(), ys.Min(), xs.Max() - xs.Min(), ys.Max() - ys.Min());
        return [new LocatedFace(box, csv.Get(frameIndex, "confidence"), landmarks)];
    }

    public void Dispose() { }
}
