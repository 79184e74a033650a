using System.Diagnostics;
using System.Globalization;

namespace MerFactory.Speech.Tests;

/// <summary>Generates audio fixtures at run time with ffmpeg and espeak-ng in a per-test temporary folder.</summary>
public sealed class TestAudio : IDisposable
{
    public string Directory { get; } = Path.Combine(Path.GetTempPath(), "merfactory-speech-" + Guid.NewGuid().ToString("N"));

    public TestAudio() => System.IO.Directory.CreateDirectory(Directory);

    public string PathOf(string name) => Path.Combine(Directory, name);

    /// <summary>Runs ffmpeg with the given arguments, writing <paramref name="output"/> in the fixture folder.</summary>
    public string Ffmpeg(string output, params string[] arguments)
    {
        var path = PathOf(output);
        Run("ffmpeg", ["-nostdin", "-hide_banner", "-loglevel", "error", "-y", .. arguments, path]);
        return path;
    }

    /// <summary>A sine tone made by ffmpeg's lavfi source.</summary>
    public string Tone(string output, double hz, double seconds, double amplitude = 0.5, int sampleRate = 16000, params string[] encoding) =>
        Ffmpeg(output, ["-f", "lavfi", "-i", Invariant($"aevalsrc={amplitude}*sin(2*PI*{hz}*t):s={sampleRate}:d={seconds}"), .. encoding]);

    /// <summary>Speech synthesised by espeak-ng (22.05 kHz mono wav).</summary>
    public string Speak(string output, string text, int pitch = 50, int wordsPerMinute = 160)
    {
        var path = PathOf(output);
        Run("espeak-ng", ["-w", path, "-p", pitch.ToString(CultureInfo.InvariantCulture), "-s", wordsPerMinute.ToString(CultureInfo.InvariantCulture), text]);
        return path;
    }

    public static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);

    public static void Run(string program, IEnumerable<string> arguments)
    {
        var startInfo = new ProcessStartInfo(program) { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        foreach (var argument in arguments) startInfo.ArgumentList.Add(argument);
        using var process = Process.Start(startInfo)!;
        var stderr = process.StandardError.ReadToEndAsync();
        process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0) throw new InvalidOperationException($"{program} failed: {stderr.Result}");
    }

    /// <summary>Dominant frequency by counting upward zero crossings (enough for a clean tone).</summary>
    public static double ZeroCrossingFrequency(ReadOnlySpan<float> samples, int sampleRate)
    {
        var crossings = 0;
        int first = -1, last = -1;
        for (var i = 1; i < samples.Length; i++)
        {
            if (samples[i - 1] < 0 && samples[i] >= 0)
            {
                crossings++;
                if (first < 0) first = i;
                last = i;
            }
        }
        return crossings < 2 ? 0 : (crossings - 1) / ((last - first) / (double)sampleRate);
    }

    public static double Rms(ReadOnlySpan<float> samples)
    {
        double sum = 0;
        foreach (var s in samples) sum += s * (double)s;
        return Math.Sqrt(sum / samples.Length);
    }

    public void Dispose()
    {
        try { System.IO.Directory.Delete(Directory, recursive: true); } catch (IOException) { /* best effort */ }
    }
}
