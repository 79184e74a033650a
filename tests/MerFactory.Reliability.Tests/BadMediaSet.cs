using MerFactory.Cli.Tests;
using MerFactory.Testing;

namespace MerFactory.Reliability.Tests;

/// <summary>
/// The bad-media set of issue 18, generated in the test (ffmpeg, raw bytes, links): every input a tester would try.
/// Each entry names the file the run will report it under.
/// </summary>
internal static class BadMediaSet
{
    /// <summary>A name that with any output suffix passes 255 bytes unless the id is shortened.</summary>
    public static readonly string LongStem = "long_" + new string('n', 245);

    public static async Task<IReadOnlyList<string>> WriteAsync(string folder)
    {
        Directory.CreateDirectory(folder);
        string At(string name) => Path.Combine(folder, name);
        var good = At("good.mp4");
        await CliRunner.FfmpegAsync("-f", "lavfi", "-i", "testsrc=duration=1:size=160x120:rate=10", "-f", "lavfi", "-i", "sine=frequency=440:duration=1",
            "-pix_fmt", "yuv420p", "-shortest", good);
        var bytes = await File.ReadAllBytesAsync(good);

        await File.WriteAllBytesAsync(At("zero_byte.mp4"), []);
        await File.WriteAllBytesAsync(At("truncated.mp4"), bytes[..(bytes.Length / 3)]);
        File.Copy(SharedData.DataPath("speech", "jfk.wav"), At("wav_named.mp4"));              // wrong extension
        await File.WriteAllBytesAsync(At("random_bytes.mp4"), RandomBytes(64 * 1024, seed: 18));
        await CliRunner.FfmpegAsync("-f", "lavfi", "-i", "color=c=red:s=2x2", "-frames:v", "1", "-vf", "scale=1:1", At("one_pixel.png"));
        await CliRunner.FfmpegAsync("-f", "lavfi", "-i", "color=c=gray:s=16x16", "-frames:v", "1", "-vf", "scale=10000:10000", At("huge_10000.png"));
        await CliRunner.FfmpegAsync("-f", "lavfi", "-i", "sine=frequency=300:duration=1", "-c:a", "aac", At("audio_only.mp4"));
        await CliRunner.FfmpegAsync("-f", "lavfi", "-i", "testsrc=duration=1:size=160x120:rate=10", "-pix_fmt", "yuv420p", At("no_audio.mp4"));
        await CliRunner.FfmpegAsync("-f", "lavfi", "-i", "testsrc=duration=0.1:size=160x120:rate=30", "-f", "lavfi", "-i", "sine=duration=0.1",
            "-pix_fmt", "yuv420p", "-shortest", At("tenth_second.mp4"));
        await CliRunner.FfmpegAsync("-f", "lavfi", "-i", "testsrc=s=320x240", "-frames:v", "1", At("no_face.jpg"));
        File.Copy(SharedData.DataPath("media", "pyfeat", "multi_face.jpg"), At("several_faces.jpg"));
        File.Copy(good, At("odd name 'quoted' ünï -dash.mp4"));
        await File.WriteAllBytesAsync(At(LongStem + ".mp4"), bytes);

        // Links: a loop back to the folder (its files must not repeat), a link to a file (same file once), a dangling one.
        Directory.CreateDirectory(At("nested"));
        Directory.CreateSymbolicLink(Path.Combine(folder, "nested", "loop"), folder);
        File.CreateSymbolicLink(At("link_to_good.mp4"), good);
        File.CreateSymbolicLink(At("dangling.mp4"), At("gone.mp4"));
        // Unreadable: no permission for a normal user; as root (who reads anything) a file whose first read fails (EIO).
        if (Environment.UserName == "root" || Environment.GetEnvironmentVariable("USER") == "root")
            File.CreateSymbolicLink(At("unreadable.mp4"), "/proc/self/mem");
        else
        {
            await File.WriteAllBytesAsync(At("unreadable.mp4"), bytes);
            if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(At("unreadable.mp4"), UnixFileMode.None);
        }
        return Directory.GetFileSystemEntries(folder).Select(Path.GetFileName).Where(n => n is not ("nested" or "link_to_good.mp4")).Order().ToList()!;
    }

    private static byte[] RandomBytes(int count, int seed)
    {
        var data = new byte[count];
        new Random(seed).NextBytes(data);
        return data;
    }
}
