using System.Diagnostics;
using System.Globalization;
using System.Text;
using MerFactory.Facs.OpenFace;

namespace MerFactory.GateAgent.Tests;

/// <summary>Tiny media made once per test class with ffmpeg's lavfi sources, in a temporary folder removed afterwards.</summary>
public sealed class MediaFixture : IDisposable
{
    public MediaFixture()
    {
        Folder = Directory.CreateTempSubdirectory("merfactory-gate-").FullName;
        LoudWav = Generate("loud.wav", "-f", "lavfi", "-i", "aevalsrc=0.9*sin(2*PI*440*t):s=16000:d=2", "-ac", "1");
        SilentWav = Generate("silent.wav", "-f", "lavfi", "-i", "anullsrc=r=16000:cl=mono", "-t", "2");
        StaticVideo = Generate("static.mp4", "-f", "lavfi", "-i", "color=c=blue:s=64x64:r=10:d=4", "-pix_fmt", "yuv420p");
        MovingVideo = Generate("moving.mp4", "-f", "lavfi", "-i", "testsrc=s=64x64:r=10:d=4", "-pix_fmt", "yuv420p");
        // 2 s of motion then 3 s frozen to the end: ffmpeg reports the freeze start but no duration.
        EndsFrozenVideo = Generate("ends-frozen.mp4", "-f", "lavfi", "-i", "testsrc=s=64x64:r=10:d=2", "-f", "lavfi", "-i", "color=c=red:s=64x64:r=10:d=3",
            "-filter_complex", "[0:v][1:v]concat=n=2:v=1:a=0[v]", "-map", "[v]", "-pix_fmt", "yuv420p");
        var srt = Path.Combine(Folder, "speech.srt");
        File.WriteAllText(srt, "1\n00:00:00,500 --> 00:00:02,000\nI am so happy today!\n\n2\n00:00:02,500 --> 00:00:03,500\nReally.\n");
        SubtitledVideo = Generate("subtitled.mp4", "-f", "lavfi", "-i", "testsrc=s=64x64:r=10:d=4", "-i", srt,
            "-map", "0:v", "-map", "1:s", "-c:s", "mov_text", "-pix_fmt", "yuv420p");
        AuCsv = Path.Combine(Folder, "sample.csv");
        File.WriteAllText(AuCsv, OpenFaceCsvText());
    }

    public string Folder { get; }

    public string LoudWav { get; }

    public string SilentWav { get; }

    public string StaticVideo { get; }

    public string MovingVideo { get; }

    public string EndsFrozenVideo { get; }

    public string SubtitledVideo { get; }

    /// <summary>Four frames at 0.0/0.1/0.2/0.3 s in OpenFace's "-aus" layout: AU12 peaks at 0.1 s, AU04 at 0.3 s.</summary>
    public string AuCsv { get; }

    public void Dispose() => Directory.Delete(Folder, recursive: true);

    private static string OpenFaceCsvText()
    {
        double[][] intensities =
        [
            Row(("AU12", 0.4), ("AU06", 0.2)),
            Row(("AU12", 2.5), ("AU06", 1.8), ("AU25", 1.1)),
            Row(("AU12", 1.2), ("AU06", 0.9)),
            Row(("AU04", 3.1), ("AU12", 0.1)),
        ];
        var text = new StringBuilder();
        // OpenFace writes ", " separators; the reader must cope with them.
        text.AppendLine(string.Join(", ", ["frame", "face_id", "timestamp", "confidence", "success", .. OpenFaceAus.IntensityColumns, .. OpenFaceAus.PresenceColumns]));
        for (var i = 0; i < intensities.Length; i++)
        {
            var presences = OpenFaceAus.PresenceAus.Select(au =>
            {
                var index = OpenFaceAus.IntensityAus.ToList().IndexOf(au);
                return index >= 0 && intensities[i][index] >= 1 ? "1" : "0";
            });
            text.AppendLine(string.Join(", ", [
                (i + 1).ToString(CultureInfo.InvariantCulture), "0", (i * 0.1).ToString("0.000", CultureInfo.InvariantCulture), "0.98", "1",
                .. intensities[i].Select(v => v.ToString("0.00", CultureInfo.InvariantCulture)), .. presences]));
        }

        return text.ToString();
    }

    private static double[] Row(params (string Au, double Value)[] values)
    {
        var row = new double[OpenFaceAus.IntensityAus.Count];
        foreach (var (au, value) in values) row[OpenFaceAus.IntensityAus.ToList().IndexOf(au)] = value;
        return row;
    }

    private string Generate(string name, params string[] arguments)
    {
        var path = Path.Combine(Folder, name);
        var startInfo = new ProcessStartInfo("ffmpeg") { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        foreach (var argument in (string[])["-hide_banner", "-nostdin", "-loglevel", "error", "-y", .. arguments, path]) startInfo.ArgumentList.Add(argument);
        using var process = Process.Start(startInfo)!;
        var errors = process.StandardError.ReadToEndAsync();
        process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0) throw new InvalidOperationException($"ffmpeg could not make the fixture {name}: {errors.Result}");
        return path;
    }
}
