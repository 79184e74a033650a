using MerFactory.AuEngine.Alignment;
using MerFactory.AuEngine.Pipeline;
using OpenCvSharp;

namespace MerFactory.AuEngine.Tests;

/// <summary>
/// Landmarks taken from an OpenFace reference CSV (its CLNF tracker), by frame index: isolates our AU stages. With
/// <paramref name="withModelFit"/> the CSV's PDM parameters come along, as our CLNF source gives its own.
/// </summary>
internal sealed class CsvLandmarkSource(ReferenceCsv csv, bool withModelFit = false) : ILandmarkSource
{
    public IReadOnlyList<LocatedFace> Detect(Mat bgrFrame, int frameIndex)
    {
        if (frameIndex >= csv.Rows.Count || csv.Get(frameIndex, "success") < 1) return [];
        var landmarks = csv.Landmarks(frameIndex);
        var xs = landmarks.Take(68).ToArray();
        var ys = landmarks.Skip(68).ToArray();
        var box = new Rect2d(xs.Min(), ys.Min(), xs.Max() - xs.Min(), ys.Max() - ys.Min());
        return [new LocatedFace(box, csv.Get(frameIndex, "confidence"), landmarks) { ModelFit = withModelFit ? ModelFit(frameIndex) : null }];
    }

    private PdmFit ModelFit(int row) => new(
        new PdmGlobalParams(csv.Get(row, "p_scale"), csv.Get(row, "p_rx"), csv.Get(row, "p_ry"), csv.Get(row, "p_rz"), csv.Get(row, "p_tx"), csv.Get(row, "p_ty")),
        Enumerable.Range(0, 34).Select(k => csv.Get(row, $"p_{k}")).ToArray());

    public void Dispose() { }
}
