using MerFactory.Facs.OpenFace;

namespace MerFactory.Facs.Tests;

/// <summary>Builds small AU tables for tests: rows given as "AU12_r"/"AU12_c" → value maps (missing = 0).</summary>
internal sealed class TableBuilder(OpenFaceLayout? layout = null, double fps = 30)
{
    private readonly OpenFaceLayout _layout = layout ?? OpenFaceLayout.ActionUnits;
    private readonly List<OpenFaceFrame> _frames = [];

    public TableBuilder Row(Dictionary<string, double>? values = null, bool success = true)
    {
        values ??= new Dictionary<string, double>();
        var frameNumber = _frames.Count + 1;
        _frames.Add(new OpenFaceFrame
        {
            Frame = frameNumber,
            FaceId = 0,
            Timestamp = (frameNumber - 1) / fps,
            Confidence = success ? 0.98 : 0,
            Success = success,
            Intensities = [.. _layout.IntensityColumns.Select(c => values.GetValueOrDefault(c))],
            Presences = [.. _layout.PresenceColumns.Select(c => values.GetValueOrDefault(c))],
        });
        return this;
    }

    /// <summary>A row whose AU45_r (blink; in no emotion rule) is <paramref name="sum"/>, to shape the summed intensity.</summary>
    public TableBuilder Level(double sum) => Row(new Dictionary<string, double> { ["AU45_r"] = sum });

    public TableBuilder Levels(params double[] sums)
    {
        foreach (var sum in sums) Level(sum);
        return this;
    }

    public OpenFaceTable Build(string source = "test.csv") => new(source, _layout, [.. _frames]);
}
