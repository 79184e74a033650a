using System.Globalization;
using MerFactory.Facs.OpenFace;
using MerFactory.Testing;

namespace MerFactory.Facs.Tests;

public class OpenFaceCsvTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("facs-csv-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private string TempFile(string name, string content)
    {
        var path = Path.Combine(_folder, name);
        File.WriteAllText(path, content);
        return path;
    }

    /// <summary>An independent, naive parse: split on commas, trim, parse invariantly.</summary>
    private static (string[] Header, double[][] Rows) NaiveParse(string path)
    {
        var lines = File.ReadAllLines(path).Where(l => l.Trim().Length > 0).ToArray();
        var header = lines[0].Split(',').Select(h => h.Trim()).ToArray();
        var rows = lines.Skip(1).Select(l => l.Split(',').Select(v => double.Parse(v.Trim(), CultureInfo.InvariantCulture)).ToArray()).ToArray();
        return (header, rows);
    }

    [Theory]
    [InlineData("reference/default_openface2017.csv", 288)]
    [InlineData("reference/single_face_openface2017.csv", 72)]
    [InlineData("media/pyfeat/OpenFace_Test.csv", 100)] // 100 rows (shared/README says 99 frames); no final line end
    public void Reads_reference_openface_csvs_with_their_extra_columns(string relativePath, int rowCount)
    {
        var path = SharedData.DataPath(relativePath.Split('/'));
        var table = OpenFaceCsv.Read(path);
        var (header, rows) = NaiveParse(path);

        Assert.Equal(rowCount, table.Count);
        Assert.Equal(OpenFaceAus.IntensityColumns, table.Layout.IntensityColumns);
        Assert.Equal(OpenFaceAus.PresenceColumns, table.Layout.PresenceColumns);
        Assert.True(table.Layout.HasPose);
        Assert.Equal(68, table.Layout.LandmarkCount);

        int Col(string name) => Array.IndexOf(header, name);
        for (var r = 0; r < rowCount; r++)
        {
            var frame = table.Frames[r];
            Assert.Equal((int)rows[r][Col("frame")], frame.Frame);
            Assert.Equal(rows[r][Col("timestamp")], frame.Timestamp);
            Assert.Equal(rows[r][Col("confidence")], frame.Confidence);
            Assert.Equal(rows[r][Col("success")] != 0, frame.Success);
            Assert.Equal(0, frame.FaceId); // the 2017 layout has no face_id
            for (var i = 0; i < 17; i++) Assert.Equal(rows[r][Col(OpenFaceAus.IntensityColumns[i])], frame.Intensities[i]);
            for (var i = 0; i < 18; i++) Assert.Equal(rows[r][Col(OpenFaceAus.PresenceColumns[i])], frame.Presences[i]);
            Assert.Equal(rows[r][Col("pose_Rz")], frame.Pose![5]);
            Assert.Equal(rows[r][Col("x_67")], frame.LandmarksX![67]);
            Assert.Equal(rows[r][Col("y_0")], frame.LandmarksY![0]);
        }
    }

    [Fact]
    public void Empty_file_and_header_only_file_are_reported_as_empty_csv_naming_the_file()
    {
        foreach (var (name, content) in new[] { ("zero.csv", ""), ("header.csv", "frame, face_id, timestamp, confidence, success, AU01_r, AU01_c\n") })
        {
            var path = TempFile(name, content);
            var error = Assert.Throws<OpenFaceCsvException>(() => OpenFaceCsv.Read(path));
            Assert.Equal(path, error.FilePath);
            Assert.Equal("OpenFace produced an empty CSV.", error.Cause);
            Assert.Contains(path, error.Message);
        }
    }

    [Fact]
    public void Csv_without_intensity_columns_is_rejected_with_mer_factory_message()
    {
        var path = TempFile("no_r.csv", "frame, face_id, timestamp, confidence, success, AU01_c\n1, 0, 0.000, 0.98, 1, 1.0\n");
        var error = Assert.Throws<OpenFaceCsvException>(() => OpenFaceCsv.Read(path));
        Assert.Equal("No AU intensity columns ('_r') found in the data.", error.Cause);
        Assert.Contains("no_r.csv", error.Message);
    }

    [Fact]
    public void Bad_value_names_file_line_and_column()
    {
        var path = TempFile("bad.csv", "frame, face_id, timestamp, confidence, success, AU01_r, AU01_c\n1, 0, 0.000, 0.98, 1, 0.5, 1.0\n2, 0, 0.033, 0.98, 1, abc, 0.0\n");
        var error = Assert.Throws<OpenFaceCsvException>(() => OpenFaceCsv.Read(path));
        Assert.Contains("bad.csv", error.Message);
        Assert.Contains("AU01_r", error.Message);
        Assert.Contains("'abc'", error.Message);
        Assert.Contains("line 3", error.Message);
    }

    [Fact]
    public void Truncated_row_is_rejected()
    {
        var path = TempFile("short.csv", "frame, face_id, timestamp, confidence, success, AU01_r, AU01_c\n1, 0, 0.000, 0.98, 1\n");
        var error = Assert.Throws<OpenFaceCsvException>(() => OpenFaceCsv.Read(path));
        Assert.Contains("fields", error.Message);
    }

    [Fact]
    public void Missing_file_is_a_file_not_found_naming_it()
    {
        var path = Path.Combine(_folder, "absent.csv");
        var error = Assert.Throws<FileNotFoundException>(() => OpenFaceCsv.Read(path));
        Assert.Contains(path, error.Message);
    }

    [Fact]
    public void Reads_non_finite_values_as_c_runtimes_print_them()
    {
        var path = TempFile("nan.csv", "frame, face_id, timestamp, confidence, success, AU01_r, AU02_r, AU04_r\n1, 0, 0.000, 0.98, 1, -nan, nan, -inf\n");
        var frame = OpenFaceCsv.Read(path).Frames[0];
        Assert.True(double.IsNaN(frame.Intensities[0]));
        Assert.True(double.IsNaN(frame.Intensities[1]));
        Assert.Equal(double.NegativeInfinity, frame.Intensities[2]);
    }

    [Fact]
    public void Writer_uses_openface_header_and_number_formats()
    {
        var table = new TableBuilder().Row(new Dictionary<string, double> { ["AU01_r"] = 0.125, ["AU02_r"] = 2.675, ["AU45_r"] = -0.001, ["AU28_c"] = 1 }).Build();
        using var text = new StringWriter();
        OpenFaceCsv.Write(text, table);
        var lines = text.ToString().Split('\n');

        Assert.Equal(
            "frame, face_id, timestamp, confidence, success, AU01_r, AU02_r, AU04_r, AU05_r, AU06_r, AU07_r, AU09_r, AU10_r, AU12_r, AU14_r, AU15_r, AU17_r, AU20_r, AU23_r, AU25_r, AU26_r, AU45_r, "
            + "AU01_c, AU02_c, AU04_c, AU05_c, AU06_c, AU07_c, AU09_c, AU10_c, AU12_c, AU14_c, AU15_c, AU17_c, AU20_c, AU23_c, AU25_c, AU26_c, AU28_c, AU45_c",
            lines[0]);
        // RecorderCSV: timestamp %.3f, confidence %.2f, success 0/1, AU_r %.2f (printf rounding), AU_c %.1f
        Assert.Equal(
            "1, 0, 0.000, 0.98, 1, 0.12, 2.67, 0.00, 0.00, 0.00, 0.00, 0.00, 0.00, 0.00, 0.00, 0.00, 0.00, 0.00, 0.00, 0.00, 0.00, -0.00, "
            + "0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 1.0, 0.0",
            lines[1]);
        Assert.Equal("", lines[2]);
        Assert.Equal(3, lines.Length);
    }

    [Fact]
    public void Round_trip_of_reference_csv_keeps_values_to_openface_precision_and_is_stable()
    {
        var original = OpenFaceCsv.Read(SharedData.DataPath("reference", "default_openface2017.csv"));
        var written = Path.Combine(_folder, "roundtrip.csv");
        OpenFaceCsv.Write(written, original);
        var reread = OpenFaceCsv.Read(written);

        Assert.Equal(original.Layout, reread.Layout);
        Assert.Equal(original.Count, reread.Count);
        for (var r = 0; r < original.Count; r++)
        {
            var a = original.Frames[r];
            var b = reread.Frames[r];
            Assert.Equal(a.Frame, b.Frame);
            Assert.Equal(a.Success, b.Success);
            Assert.Equal(a.Timestamp, b.Timestamp, 0.0005 + 1e-12);
            Assert.Equal(a.Confidence, b.Confidence, 0.005 + 1e-12);
            for (var i = 0; i < a.Intensities.Length; i++) Assert.Equal(a.Intensities[i], b.Intensities[i], 0.005 + 1e-12);
            Assert.Equal(a.Presences, b.Presences);
            for (var i = 0; i < 68; i++) Assert.Equal(a.LandmarksX![i], b.LandmarksX![i], 0.05 + 1e-9);
            for (var i = 0; i < 3; i++) Assert.Equal(a.Pose![i], b.Pose![i], 0.05 + 1e-9);
            for (var i = 3; i < 6; i++) Assert.Equal(a.Pose![i], b.Pose![i], 0.0005 + 1e-12);
        }

        // Values already at OpenFace precision survive unchanged: writing the re-read table gives the same bytes.
        var second = Path.Combine(_folder, "roundtrip2.csv");
        OpenFaceCsv.Write(second, reread);
        Assert.Equal(File.ReadAllText(written), File.ReadAllText(second));
        Assert.StartsWith("frame, face_id, timestamp, confidence, success, pose_Tx", File.ReadAllText(written));
    }

    [Fact]
    public void Writer_appends_rows_and_writes_the_header_once()
    {
        var path = Path.Combine(_folder, "stream.csv");
        var table = new TableBuilder().Levels(0.5, 1.5, 2.5).Build();
        using (var writer = OpenFaceCsvWriter.Open(path, table.Layout, append: true)) writer.WriteRow(table.Frames[0]);
        using (var writer = OpenFaceCsvWriter.Open(path, table.Layout, append: true))
        {
            writer.WriteRow(table.Frames[1]);
            writer.WriteRow(table.Frames[2]);
        }

        var lines = File.ReadAllLines(path);
        Assert.Equal(4, lines.Length);
        Assert.Single(lines, l => l.StartsWith("frame,", StringComparison.Ordinal));
        var reread = OpenFaceCsv.Read(path);
        Assert.Equal([1, 2, 3], reread.Frames.Select(f => f.Frame));
        Assert.Equal([0.5, 1.5, 2.5], reread.Frames.Select(f => f.Intensities[^1]));
    }

    [Fact]
    public void Appending_with_other_columns_is_refused()
    {
        var path = Path.Combine(_folder, "mixed.csv");
        var table = new TableBuilder().Levels(1).Build();
        using (var writer = OpenFaceCsvWriter.Open(path, OpenFaceLayout.ActionUnits)) writer.WriteRow(table.Frames[0]);
        var error = Assert.Throws<OpenFaceCsvException>(() => OpenFaceCsvWriter.Open(path, OpenFaceLayout.Full, append: true));
        Assert.Contains("header", error.Message);
    }

    [Fact]
    public void Writer_rejects_a_frame_that_does_not_match_its_layout()
    {
        using var text = new StringWriter();
        using var writer = new OpenFaceCsvWriter(text, OpenFaceLayout.Full, leaveOpen: true);
        var frame = new TableBuilder().Levels(1).Build().Frames[0]; // no pose, no landmarks
        var error = Assert.Throws<ArgumentException>(() => writer.WriteRow(frame));
        Assert.Contains("pose", error.Message);
    }

    [Fact]
    public void Reader_streams_rows_lazily()
    {
        using var text = new StringReader("frame, face_id, timestamp, confidence, success, AU01_r\n1, 0, 0.000, 0.98, 1, 0.5\n2, 0, 0.033, 0.98, 1, oops\n");
        using var reader = new OpenFaceCsvReader(text, "stream");
        using var rows = reader.ReadFrames().GetEnumerator();
        Assert.True(rows.MoveNext());
        Assert.Equal(0.5, rows.Current.Intensities[0]);
        // the bad second row only fails when it is reached
        Assert.Throws<OpenFaceCsvException>(() => rows.MoveNext());
    }
}
