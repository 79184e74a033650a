using MerFactory.Media;

namespace MerFactory.Media.Tests;

/// <summary>The one ffmpeg process driver: output to a pipe (bounded, drained), input from memory, failures reported.</summary>
public sealed class FfmpegRunnerTests
{
    private static readonly TimeSpan Limit = TimeSpan.FromMinutes(1);

    // One second of a 440 Hz tone as 16 kHz mono 16-bit PCM: 32,000 bytes.
    private static readonly string[] Tone = ["-f", "lavfi", "-i", "sine=frequency=440:duration=1", "-ac", "1", "-ar", "16000", "-f", "s16le", "pipe:1"];

    [Fact]
    public async Task OutputBeyondTheCaptureLimitIsDrainedNotKept()
    {
        var whole = await FfmpegRunner.RunAsync("ffmpeg", Tone, Limit, CancellationToken.None);
        var capped = await FfmpegRunner.RunAsync("ffmpeg", Tone, Limit, CancellationToken.None, maxOutputBytes: 1000);

        Assert.Equal(0, whole.ExitCode);
        Assert.Equal(32_000, whole.StandardOutput.Length);
        Assert.Equal(0, capped.ExitCode);
        Assert.Equal(whole.StandardOutput.Take(1000), capped.StandardOutput);
    }

    [Fact]
    public async Task InputFromMemoryIsPipedThrough()
    {
        var pcm = (await FfmpegRunner.RunAsync("ffmpeg", Tone, Limit, CancellationToken.None)).StandardOutput;

        var copy = await FfmpegRunner.RunAsync("ffmpeg", ["-f", "s16le", "-ar", "16000", "-ac", "1", "-i", "pipe:0", "-f", "s16le", "pipe:1"], Limit, CancellationToken.None, pcm);

        Assert.Equal(0, copy.ExitCode);
        Assert.Equal(pcm, copy.StandardOutput);
    }

    [Fact]
    public async Task AnUnreadableInputFailsWithItsDiagnostics()
    {
        var result = await FfmpegRunner.RunAsync("ffmpeg", ["-i", "pipe:0", "-f", "s16le", "pipe:1"], Limit, CancellationToken.None, "not media at all"u8.ToArray());

        Assert.NotEqual(0, result.ExitCode);
        Assert.Empty(result.StandardOutput);
        Assert.False(string.IsNullOrWhiteSpace(result.StandardError));
    }

    [Fact]
    public async Task AMissingExecutableIsAStartFailure() =>
        await Assert.ThrowsAsync<FfmpegStartException>(() => FfmpegRunner.RunAsync("/nonexistent/ffmpeg", ["-version"], Limit, CancellationToken.None));
}
