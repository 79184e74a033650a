using System.Globalization;
using System.Text;

namespace MerFactory.AuEngine.Pipeline;

/// <summary>Minimal writer of OpenFace's AU columns (same header spelling, ", " separators as OpenFace writes).</summary>
public static class OpenFaceCsvWriter
{
    public static string Header(IReadOnlyList<string> intensityNames, IReadOnlyList<string> presenceNames)
    {
        var header = new StringBuilder("frame, face_id, timestamp, confidence, success");
        foreach (var name in intensityNames) header.Append(", ").Append(name).Append("_r");
        foreach (var name in presenceNames) header.Append(", ").Append(name).Append("_c");
        return header.ToString();
    }

    public static string Row(AuFrameResult row)
    {
        var inv = CultureInfo.InvariantCulture;
        var line = new StringBuilder();
        line.Append(row.Frame.ToString(inv)).Append(", ").Append(row.FaceId.ToString(inv)).Append(", ")
            .Append(row.Timestamp.ToString("0.###", inv)).Append(", ").Append(row.Confidence.ToString("0.###", inv)).Append(", ")
            .Append(row.Success ? '1' : '0');
        foreach (var v in row.Intensities) line.Append(", ").Append(v.ToString("0.####", inv));
        foreach (var v in row.Presence) line.Append(", ").Append(v.ToString("0.#", inv));
        return line.ToString();
    }

    public static async Task<int> WriteAsync(IAsyncEnumerable<AuFrameResult> rows, IReadOnlyList<string> intensityNames,
        IReadOnlyList<string> presenceNames, TextWriter writer, CancellationToken cancellationToken = default)
    {
        await writer.WriteLineAsync(Header(intensityNames, presenceNames).AsMemory(), cancellationToken).ConfigureAwait(false);
        var count = 0;
        await foreach (var row in rows.WithCancellation(cancellationToken).ConfigureAwait(false))
        {
            await writer.WriteLineAsync(Row(row).AsMemory(), cancellationToken).ConfigureAwait(false);
            count++;
        }
        await writer.FlushAsync(cancellationToken).ConfigureAwait(false);
        return count;
    }
}
