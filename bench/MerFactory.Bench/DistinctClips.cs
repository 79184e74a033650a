using System.Globalization;
using System.Security.Cryptography;
using MerFactory.Media;
using MerFactory.Testing;

namespace MerFactory.Bench;

/// <summary>
/// N clips that share no content, cut and cropped from the shared videos with ffmpeg: each has its own time range, crop
/// and scale (and, for the silent multi-face clip, its own stretch of jfk.wav as sound), so every content-keyed step
/// (audio, frames, AU, transcript, LLM) has its own key per clip. <see cref="VerifyDistinctAsync"/> checks that no two
/// files, nor two decoded video or audio streams, hash equal.
/// </summary>
internal static class DistinctClips
{
    private static readonly TimeSpan FfmpegLimit = TimeSpan.FromMinutes(2);

    private sealed record Source(string Video, string? Sound, double Length, double Step, double Duration);

    private static readonly Source[] Sources =
    [
        new(SharedData.DataPath("media", "openface_samples", "default.wmv"), null, 19.2, 0.9, 2.0),
        new(SharedData.DataPath("media", "pyfeat", "single_face.mp4"), null, 2.43, 0.05, 1.5),
        new(SharedData.DataPath("media", "openface_samples", "multi_face.avi"), SharedData.DataPath("speech", "jfk.wav"), 23.4, 0.8, 2.0),
    ];

    private static readonly double[] CropFractions = [0.8, 0.85, 0.9, 0.95];
    private static readonly int[] Widths = [640, 560, 480, 400];

    /// <param name="first">Index of the first clip: clips from another range share nothing with these (warm-up inputs).</param>
    public static async Task<IReadOnlyList<string>> CreateAsync(string folder, int first, int count, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(folder);
        var files = new List<string>();
        for (var i = first; i < first + count; i++)
        {
            var source = Sources[i % Sources.Length];
            var turn = i / Sources.Length;
            var start = turn * source.Step;
            if (start + source.Duration > source.Length)
                throw new ArgumentOutOfRangeException(nameof(count), $"{first + count} clips need more time ranges than {Path.GetFileName(source.Video)} has");
            var fraction = CropFractions[turn % CropFractions.Length];
            var width = Widths[(turn / CropFractions.Length + i) % Widths.Length];
            // The crop window moves with the clip, so even equal fractions cut different pixels.
            var crop = string.Create(CultureInfo.InvariantCulture, $"crop=trunc(iw*{fraction}/2)*2:trunc(ih*{fraction}/2)*2:(iw-ow)*{turn % 3}/2:(ih-oh)*{(turn + 1) % 3}/2,scale={width}:-2");
            var path = Path.Combine(folder, $"clip{i:D3}.mp4");
            var arguments = new List<string> { "-y", "-v", "error", "-ss", Seconds(start), "-t", Seconds(source.Duration), "-i", source.Video };
            if (source.Sound is not null) arguments.AddRange(["-ss", Seconds(turn * 0.45), "-t", Seconds(source.Duration), "-i", source.Sound, "-map", "0:v:0", "-map", "1:a:0"]);
            arguments.AddRange(["-vf", crop, "-c:v", "libx264", "-preset", "veryfast", "-crf", "23", "-pix_fmt", "yuv420p", "-c:a", "aac", "-b:a", "96k", "-ar", "44100", "-shortest", path]);
            var result = await FfmpegRunner.RunAsync("ffmpeg", arguments, FfmpegLimit, cancellationToken);
            if (result.ExitCode != 0) throw new InvalidOperationException($"ffmpeg could not cut clip {i}: {result.StandardError}");
            files.Add(path);
        }
        return files;
    }

    /// <summary>Throws unless every file, every decoded video stream and every decoded audio stream is unique.</summary>
    public static async Task<string> VerifyDistinctAsync(IReadOnlyList<string> files, CancellationToken cancellationToken)
    {
        var fileHashes = new HashSet<string>(StringComparer.Ordinal);
        var streamHashes = new Dictionary<string, HashSet<string>>(StringComparer.Ordinal) { ["video"] = [], ["audio"] = [] };
        foreach (var file in files)
        {
            await using (var stream = File.OpenRead(file))
                if (!fileHashes.Add(Convert.ToHexStringLower(await SHA256.HashDataAsync(stream, cancellationToken))))
                    throw new InvalidOperationException($"{file} has the same bytes as an earlier clip");
            // streamhash: one line per stream, "0,v,SHA256=..." / "1,a,SHA256=...", of the decoded frames and samples.
            var result = await FfmpegRunner.RunAsync("ffmpeg", ["-v", "error", "-i", file, "-map", "0", "-f", "streamhash", "-hash", "sha256", "-"], FfmpegLimit, cancellationToken);
            if (result.ExitCode != 0) throw new InvalidOperationException($"ffmpeg could not decode {file}: {result.StandardError}");
            var kinds = new HashSet<string>(StringComparer.Ordinal);
            foreach (var line in result.StandardOutputText.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                var parts = line.Split(',');
                var kind = parts[1] == "v" ? "video" : "audio";
                kinds.Add(kind);
                if (!streamHashes[kind].Add(parts[2])) throw new InvalidOperationException($"{file}: its decoded {kind} equals an earlier clip's");
            }
            if (kinds.Count != 2) throw new InvalidOperationException($"{file} lacks a video or an audio stream");
        }
        return $"{files.Count} clips: {fileHashes.Count} distinct files, {streamHashes["video"].Count} distinct decoded video and {streamHashes["audio"].Count} distinct decoded audio streams";
    }

    private static string Seconds(double value) => value.ToString("0.###", CultureInfo.InvariantCulture);
}
