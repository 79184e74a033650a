using MerFactory.AuEngine.Pipeline;

namespace MerFactory.AuEngine.Tests;

/// <summary>
/// Agreement of our rows with an OpenFace reference CSV: Pearson r per AU_r, and AU_c cell agreement.
/// Only AUs whose reference intensity varies are scored (a constant reference has no correlation to match);
/// an AU of ours that is constant against a varying reference scores r = 0.
/// </summary>
internal sealed record Agreement(IReadOnlyDictionary<string, double> PearsonByAu, double MeanPearson, double PresenceAgreement, int Frames,
    IReadOnlyList<string> ConstantInReference, IReadOnlyList<string> ConstantOnlyInOurs)
{
    public double this[string au] => PearsonByAu[au];

    public static Agreement Compute(IReadOnlyList<AuFrameResult> ours, ReferenceCsv reference, IReadOnlyList<string> intensityNames, IReadOnlyList<string> presenceNames)
    {
        // Compare frames that both sides analysed successfully, matched by frame number.
        var byFrame = ours.Where(r => r.FaceId == 0 || ours.All(o => o.FaceId != 0)).GroupBy(r => r.Frame).ToDictionary(g => g.Key, g => g.First());
        var pairs = new List<(AuFrameResult Ours, int Row)>();
        for (var row = 0; row < reference.Rows.Count; row++)
        {
            var frame = (int)reference.Get(row, "frame");
            if (byFrame.TryGetValue(frame, out var mine) && mine.Success && reference.Get(row, "success") > 0) pairs.Add((mine, row));
        }
        var pearson = new Dictionary<string, double>();
        var constantInReference = new List<string>();
        var constantOnlyInOurs = new List<string>();
        for (var a = 0; a < intensityNames.Count; a++)
        {
            var x = pairs.Select(p => p.Ours.Intensities[a]).ToArray();
            var y = pairs.Select(p => reference.Get(p.Row, intensityNames[a] + "_r")).ToArray();
            if (IsConstant(y))
            {
                constantInReference.Add(intensityNames[a]);
                continue;
            }
            if (IsConstant(x)) constantOnlyInOurs.Add(intensityNames[a]);
            pearson[intensityNames[a]] = Pearson(x, y);
        }
        var agree = 0;
        var cells = 0;
        for (var a = 0; a < presenceNames.Count; a++)
            foreach (var (mine, row) in pairs)
            {
                cells++;
                if (mine.Presence[a] == reference.Get(row, presenceNames[a] + "_c")) agree++;
            }
        return new Agreement(pearson, pearson.Count == 0 ? 0 : pearson.Values.Average(), cells == 0 ? 0 : agree / (double)cells, pairs.Count,
            constantInReference, constantOnlyInOurs);
    }

    private static bool IsConstant(double[] values) => values.Length == 0 || values.Max() - values.Min() < 1e-9;

    public double MinPearson => PearsonByAu.Count == 0 ? 0 : PearsonByAu.Values.Min();

    /// <summary>Pearson r; 0 when either series is constant (no defined correlation, so no agreement credited).</summary>
    public static double Pearson(double[] x, double[] y)
    {
        var mx = x.Average();
        var my = y.Average();
        double sxy = 0, sxx = 0, syy = 0;
        for (var i = 0; i < x.Length; i++)
        {
            sxy += (x[i] - mx) * (y[i] - my);
            sxx += (x[i] - mx) * (x[i] - mx);
            syy += (y[i] - my) * (y[i] - my);
        }
        if (sxx < 1e-12 || syy < 1e-12) return 0;
        return sxy / Math.Sqrt(sxx * syy);
    }

    public string Describe() =>
        $"frames {Frames}, mean r {MeanPearson:F3} over {PearsonByAu.Count} AUs that vary in OpenFace (min {MinPearson:F3}), " +
        $"AU_c agreement {PresenceAgreement:P1}; " + string.Join(" ", PearsonByAu.Select(p => $"{p.Key}={p.Value:F3}")) +
        (ConstantInReference.Count > 0 ? $"; constant in OpenFace (not scored): {string.Join(",", ConstantInReference)}" : "") +
        (ConstantOnlyInOurs.Count > 0 ? $"; constant only in ours (r=0): {string.Join(",", ConstantOnlyInOurs)}" : "");
}
