using System.Globalization;
using System.Text;
using MerFactory.Facs.Formatting;

namespace MerFactory.Facs.OpenFace;

/// <summary>
/// Writes rows exactly as OpenFace 2.x's FeatureExtraction does (RecorderCSV, sequence mode): ", " separators,
/// "\n" line ends, fixed-point numbers with OpenFace's precisions (timestamp 3, confidence 2, pose translation 1 and
/// rotation 3, landmarks 1, AU intensity 2, AU presence 1 decimal), columns in OpenFace's order (pose, 2D landmarks,
/// AU_r, AU_c). Rows are written as they come, so long videos can be streamed and a file can be appended to.
/// </summary>
public sealed class OpenFaceCsvWriter : IDisposable, IAsyncDisposable
{
    private readonly TextWriter _writer;
    private readonly bool _leaveOpen;
    private readonly StringBuilder _line = new(4096);

    /// <param name="writer">Where the rows go.</param>
    /// <param name="layout">The columns to write; each frame must match it.</param>
    /// <param name="writeHeader">False when appending to a file that already has its header.</param>
    /// <param name="leaveOpen">Keep <paramref name="writer"/> open when this writer is disposed.</param>
    public OpenFaceCsvWriter(TextWriter writer, OpenFaceLayout layout, bool writeHeader = true, bool leaveOpen = false)
    {
        _writer = writer;
        _leaveOpen = leaveOpen;
        Layout = layout;
        if (writeHeader) _writer.Write(Header(layout) + "\n");
    }

    public OpenFaceLayout Layout { get; }

    /// <summary>
    /// Opens <paramref name="path"/> for writing. With <paramref name="append"/>, rows go after the existing ones and the
    /// header is written only if the file is new or empty (the existing header must match the layout).
    /// </summary>
    public static OpenFaceCsvWriter Open(string path, OpenFaceLayout layout, bool append = false)
    {
        var hasContent = append && File.Exists(path) && new FileInfo(path).Length > 0;
        if (hasContent)
        {
            string? existingHeader;
            using (var existing = File.OpenText(path)) existingHeader = existing.ReadLine();
            if (existingHeader != Header(layout))
            {
                throw new OpenFaceCsvException(path, "cannot append: the file's header does not match the columns being written.");
            }
        }

        var stream = new FileStream(path, append ? FileMode.Append : FileMode.Create, FileAccess.Write, FileShare.Read, 1 << 16);
        var writer = new StreamWriter(stream, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false));
        return new OpenFaceCsvWriter(writer, layout, writeHeader: !hasContent);
    }

    /// <summary>The header line (without line end) OpenFace writes for <paramref name="layout"/>.</summary>
    public static string Header(OpenFaceLayout layout)
    {
        var header = new StringBuilder("frame, face_id, timestamp, confidence, success");
        if (layout.HasPose) foreach (var name in OpenFaceAus.PoseColumns) header.Append(", ").Append(name);
        for (var i = 0; i < layout.LandmarkCount; i++) header.Append(", x_").Append(i.ToString(CultureInfo.InvariantCulture));
        for (var i = 0; i < layout.LandmarkCount; i++) header.Append(", y_").Append(i.ToString(CultureInfo.InvariantCulture));
        foreach (var name in layout.IntensityColumns) header.Append(", ").Append(name);
        foreach (var name in layout.PresenceColumns) header.Append(", ").Append(name);
        return header.ToString();
    }

    public void WriteRow(OpenFaceFrame frame)
    {
        FormatRow(frame);
        _writer.Write(_line);
    }

    public void WriteRows(IEnumerable<OpenFaceFrame> frames)
    {
        foreach (var frame in frames) WriteRow(frame);
    }

    public void Flush() => _writer.Flush();

    public Task FlushAsync(CancellationToken cancellationToken = default) => _writer.FlushAsync(cancellationToken);

    private void FormatRow(OpenFaceFrame frame)
    {
        Check(frame.Intensities.Length == Layout.IntensityColumns.Count, frame, "intensities");
        Check(frame.Presences.Length == Layout.PresenceColumns.Count, frame, "presences");

        _line.Clear();
        _line.Append(frame.Frame.ToString(CultureInfo.InvariantCulture))
            .Append(", ").Append(frame.FaceId.ToString(CultureInfo.InvariantCulture))
            .Append(", ").Append(PythonFormat.Fixed(frame.Timestamp, 3))
            .Append(", ").Append(PythonFormat.Fixed(frame.Confidence, 2))
            .Append(", ").Append(frame.Success ? '1' : '0');

        if (Layout.HasPose)
        {
            Check(frame.Pose is { Length: 6 }, frame, "pose");
            for (var i = 0; i < 6; i++) PythonFormat.AppendFixed(_line.Append(", "), frame.Pose![i], i < 3 ? 1 : 3);
        }

        if (Layout.LandmarkCount > 0)
        {
            Check(frame.LandmarksX?.Length == Layout.LandmarkCount && frame.LandmarksY?.Length == Layout.LandmarkCount, frame, "landmarks");
            foreach (var x in frame.LandmarksX!) PythonFormat.AppendFixed(_line.Append(", "), x, 1);
            foreach (var y in frame.LandmarksY!) PythonFormat.AppendFixed(_line.Append(", "), y, 1);
        }

        foreach (var intensity in frame.Intensities) PythonFormat.AppendFixed(_line.Append(", "), intensity, 2);
        foreach (var presence in frame.Presences) PythonFormat.AppendFixed(_line.Append(", "), presence, 1);
        _line.Append('\n');
    }

    private static void Check(bool valid, OpenFaceFrame frame, string what)
    {
        if (!valid) throw new ArgumentException($"Frame {frame.Frame}: its {what} do not match the writer's column layout.", nameof(frame));
    }

    public void Dispose()
    {
        if (_leaveOpen) _writer.Flush();
        else _writer.Dispose();
    }

    public async ValueTask DisposeAsync()
    {
        if (_leaveOpen) await _writer.FlushAsync().ConfigureAwait(false);
        else await _writer.DisposeAsync().ConfigureAwait(false);
    }
}
