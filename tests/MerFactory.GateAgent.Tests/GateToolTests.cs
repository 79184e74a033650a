using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using MerFactory.Facs.OpenFace;
using MerFactory.GateAgent.Tools;
using MerFactory.Testing;

namespace MerFactory.GateAgent.Tests;

/// <summary>Each built-in tool against real media made by ffmpeg (and the shared OpenFace sample video).</summary>
public sealed partial class GateToolTests(MediaFixture media) : IClassFixture<MediaFixture>
{
    private static readonly GateToolbox Toolbox = GateToolbox.CreateDefault();

    private static string SharedVideo => SharedData.DataPath("media", "openface_samples", "default.wmv");

    private static GateInput Input(string? mediaPath = null, string? audioPath = null) =>
        GateTestInputs.Full(mediaPath, audioPath);

    private static Task<string> InvokeAsync(GateInput input, string tool, string argumentsJson = "{}", GateOptions? options = null)
    {
        using var arguments = JsonDocument.Parse(argumentsJson);
        return Toolbox.InvokeAsync(tool, arguments.RootElement.Clone(), new GateToolContext(input, options ?? new GateOptions()), CancellationToken.None);
    }

    private static double MeanVolume(string output) =>
        double.Parse(MeanVolumePattern().Match(output).Groups[1].Value, CultureInfo.InvariantCulture);

    [Fact]
    public async Task Media_metrics_tells_a_loud_tone_from_silence()
    {
        var loud = await InvokeAsync(Input(audioPath: media.LoudWav), "media_metrics");
        var silent = await InvokeAsync(Input(audioPath: media.SilentWav), "media_metrics");

        Assert.StartsWith("Media metrics (audio, loud.wav): duration 2.00 s, mean volume ", loud);
        Assert.StartsWith("Media metrics (audio, silent.wav): duration 2.00 s, mean volume ", silent);
        Assert.InRange(MeanVolume(loud), -6, -1);
        Assert.True(MeanVolume(silent) < -80, silent);
        Assert.Contains("Loudness band by mean volume: loud", loud);
        Assert.Contains("Loudness band by mean volume: near-silent", silent);
    }

    [Fact]
    public async Task Media_metrics_measures_the_shared_sample_video()
    {
        var output = await InvokeAsync(Input(mediaPath: SharedVideo), "media_metrics", "{\"source\": \"video\"}");

        Assert.StartsWith("Media metrics (video, default.wmv): duration 19.20 s, mean volume ", output);
        Assert.InRange(MeanVolume(output), -50, -40);
        Assert.Contains("quiet", output);
    }

    [Fact]
    public async Task Media_metrics_defaults_to_the_video_when_there_is_no_wav()
    {
        var output = await InvokeAsync(Input(mediaPath: media.StaticVideo), "media_metrics");

        Assert.Equal("The video file static.mp4 has no audio stream, so it is silent.", output);
    }

    [Fact]
    public async Task Media_metrics_names_a_missing_wav_and_a_missing_file()
    {
        var noWav = await InvokeAsync(Input(mediaPath: media.StaticVideo), "media_metrics", "{\"source\": \"audio\"}");
        var missing = await InvokeAsync(Input(audioPath: Path.Combine(media.Folder, "gone.wav")), "media_metrics");

        Assert.Equal("ERROR: media_metrics failed: this sample has no extracted audio (WAV); use source \"video\".", noWav);
        Assert.Equal("ERROR: media_metrics failed: the extracted audio (WAV) was not found: gone.wav.", missing);
    }

    [Fact]
    public async Task Video_motion_calls_a_still_video_mostly_static()
    {
        var output = await InvokeAsync(Input(mediaPath: media.StaticVideo), "video_motion");

        // ffmpeg reports this freeze's start but no duration: MER-Factory would have called the video dynamic.
        Assert.Equal("Video is mostly static (talking head or slide). Frozen for 4.00 s of 4.00 s (100%) in 1 segment(s).", output);
    }

    [Fact]
    public async Task Video_motion_calls_a_moving_pattern_dynamic()
    {
        var output = await InvokeAsync(Input(mediaPath: media.MovingVideo), "video_motion");

        Assert.Equal("Video is dynamic. Frozen for 0.00 s of 4.00 s (0%) in 0 segment(s).", output);
    }

    [Fact]
    public async Task Video_motion_counts_a_freeze_that_lasts_to_the_end()
    {
        var output = await InvokeAsync(Input(mediaPath: media.EndsFrozenVideo), "video_motion");

        Assert.Equal("Video has significant static segments. Frozen for 3.00 s of 5.00 s (60%) in 1 segment(s).", output);
    }

    [Fact]
    public async Task Video_motion_calls_the_shared_sample_video_dynamic()
    {
        var output = await InvokeAsync(Input(mediaPath: SharedVideo), "video_motion");

        Assert.StartsWith("Video is dynamic.", output);
        Assert.Contains("of 19.20 s", output);
    }

    [Fact]
    public async Task Video_motion_reports_an_audio_only_file()
    {
        var output = await InvokeAsync(Input(mediaPath: media.LoudWav), "video_motion");

        Assert.Equal("The media file loud.wav has no video stream.", output);
    }

    [Fact]
    public async Task Subtitles_returns_the_embedded_text()
    {
        var output = await InvokeAsync(Input(mediaPath: media.SubtitledVideo), "subtitles");

        Assert.StartsWith("Subtitles:\n1\n00:00:00,500 --> 00:00:02,000\nI am so happy today!", output);
        Assert.EndsWith("Really.", output);
    }

    [Fact]
    public async Task Subtitles_says_so_when_there_are_none()
    {
        var output = await InvokeAsync(Input(mediaPath: media.StaticVideo), "subtitles");

        Assert.Equal("No soft subtitles found in this video file.", output);
    }

    [Fact]
    public async Task Subtitles_are_cut_at_2000_characters()
    {
        var srt = new StringBuilder();
        for (var i = 0; i < 100; i++)
            srt.Append(CultureInfo.InvariantCulture, $"{i + 1}\n00:00:{i / 50:00},{i % 50 * 20:000} --> 00:00:{i / 50:00},{i % 50 * 20 + 10:000}\nLine number {i} of a long subtitle track.\n\n");
        var srtPath = Path.Combine(media.Folder, "long.srt");
        await File.WriteAllTextAsync(srtPath, srt.ToString());
        var video = Path.Combine(media.Folder, "long-subtitles.mkv");
        await FfmpegAsync("-f", "lavfi", "-i", "color=c=black:s=32x32:r=5:d=2", "-i", srtPath, "-map", "0:v", "-map", "1:s", "-c:s", "srt", video);

        var output = await InvokeAsync(Input(mediaPath: video), "subtitles");

        Assert.StartsWith("Subtitles:\n1\n", output);
        Assert.Matches(@"\n\[truncated: \d+ more characters\]$", output);
        Assert.Equal("Subtitles:\n".Length + 2000, output.IndexOf("\n[truncated:", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Au_lookup_at_a_time_lists_the_nearest_frame_strongest_first()
    {
        var input = Input() with { AuCsvPath = media.AuCsv };

        var output = await InvokeAsync(input, "au_lookup", "{\"time\": 0.12, \"top\": 2}");

        Assert.Equal("AU intensities at 0.12 s (frame 2, timestamp 0.10 s): AU12 Lip corner puller (smile) 2.50; AU06 Cheek raiser 1.80.", output);
    }

    [Fact]
    public async Task Au_lookup_at_a_time_leaves_inactive_aus_out()
    {
        var input = Input() with { AuCsvPath = media.AuCsv };

        var output = await InvokeAsync(input, "au_lookup", "{\"time\": 0, \"top\": 5}");

        Assert.Equal("AU intensities at 0.00 s (frame 1, timestamp 0.00 s): AU12 Lip corner puller (smile) 0.40; AU06 Cheek raiser 0.20.", output);
    }

    [Fact]
    public async Task Au_lookup_without_a_time_ranks_aus_over_the_whole_video()
    {
        var input = Input() with { AuCsvPath = media.AuCsv };

        var output = await InvokeAsync(input, "au_lookup", "{\"top\": 3}");

        Assert.StartsWith("Top AUs by mean intensity over 4 frame(s) (0.00-0.30 s): AU12 Lip corner puller (smile) mean 1.05, max 2.50 at 0.10 s; AU04 Brow lowerer mean ", output);
        Assert.Contains("max 3.10 at 0.30 s; AU06 Cheek raiser mean ", output);
        Assert.Equal(3, output.Split(';').Length);
    }

    [Fact]
    public async Task Au_lookup_prefers_rows_in_memory_and_refuses_times_outside_the_data()
    {
        var input = Input() with { AuTable = OpenFaceCsv.Read(media.AuCsv), AuCsvPath = Path.Combine(media.Folder, "not-there.csv") };

        var inside = await InvokeAsync(input, "au_lookup", "{\"time\": 0.3, \"top\": 1}");
        var outside = await InvokeAsync(input, "au_lookup", "{\"time\": 9}");

        Assert.Equal("AU intensities at 0.30 s (frame 4, timestamp 0.30 s): AU04 Brow lowerer 3.10.", inside);
        Assert.Equal("ERROR: time 9.00 s is outside the AU data (0.00-0.30 s).", outside);
    }

    [Fact]
    public async Task Au_lookup_names_an_unreadable_csv()
    {
        var broken = Path.Combine(media.Folder, "broken.csv");
        await File.WriteAllTextAsync(broken, "frame, timestamp\n1, 0.0\n");

        var output = await InvokeAsync(Input() with { AuCsvPath = broken }, "au_lookup");

        Assert.StartsWith("ERROR: au_lookup failed: the AU data cannot be read (broken.csv): ", output);
        Assert.Contains("No AU intensity columns", output);
    }

    [Fact]
    public async Task Transcript_lookup_returns_the_words_in_a_range()
    {
        var input = Input() with
        {
            TranscriptText = "I am so happy today! Really.",
            TranscriptSegments =
            [
                new GateTranscriptSegment(0.5, 2.0, "I am so happy today!",
                    [new("I", 0.5, 0.6), new("am", 0.6, 0.8), new("so", 0.8, 1.0), new("happy", 1.0, 1.5), new("today!", 1.5, 2.0)]),
                new GateTranscriptSegment(2.5, 3.5, "Really."),
            ],
        };

        var words = await InvokeAsync(input, "transcript_lookup", "{\"start\": 0.9, \"end\": 1.6}");
        var segment = await InvokeAsync(input, "transcript_lookup", "{\"start\": 3}");
        var nothing = await InvokeAsync(input, "transcript_lookup", "{\"start\": 2.1, \"end\": 2.4}");
        var all = await InvokeAsync(input, "transcript_lookup");
        var backwards = await InvokeAsync(input, "transcript_lookup", "{\"start\": 2, \"end\": 1}");

        Assert.Equal("Transcript between 0.90 s and 1.60 s: \"so happy today!\"", words);
        Assert.Equal("Transcript between 3.00 s and 3.50 s: \"[2.50-3.50 s] Really.\"", segment);
        Assert.Equal("No speech in the transcript between 2.10 s and 2.40 s.", nothing);
        Assert.Equal("Transcript: \"I am so happy today! Really.\"", all);
        Assert.Equal("ERROR: \"end\" (1.00 s) must be after \"start\" (2.00 s).", backwards);
    }

    [Fact]
    public async Task Transcript_lookup_without_timings_only_gives_the_whole_text()
    {
        var input = Input() with { TranscriptText = "Hello there." };

        Assert.Equal("Transcript: \"Hello there.\"", await InvokeAsync(input, "transcript_lookup"));
        Assert.StartsWith("ERROR: this transcript has no timings", await InvokeAsync(input, "transcript_lookup", "{\"end\": 2}"));
    }

    [Fact]
    public async Task Tool_output_is_cut_to_the_configured_size()
    {
        var input = Input() with { TranscriptText = string.Concat(Enumerable.Repeat("word ", 300)) };

        var output = await InvokeAsync(input, "transcript_lookup", options: new GateOptions { MaxToolOutputChars = 100 });

        Assert.Equal(100, output.IndexOf("\n[cut: ", StringComparison.Ordinal));
        Assert.EndsWith("more characters]", output);
    }

    [Theory]
    [InlineData("{\"top\": 2.5}", "ERROR: bad arguments for au_lookup: \"top\" must be a whole number, not 2.5.")]
    [InlineData("{\"top\": 0}", "ERROR: bad arguments for au_lookup: \"top\" must be between 1 and 18, not 0.")]
    [InlineData("{\"time\": \"soon\"}", "ERROR: bad arguments for au_lookup: \"time\" must be a number, not \"soon\".")]
    [InlineData("{\"time\": true}", "ERROR: bad arguments for au_lookup: \"time\" must be a number, not a boolean.")]
    [InlineData("[1, 2]", "ERROR: bad arguments for au_lookup: \"arguments\" must be a JSON object, not an array.")]
    [InlineData("{\"file\": \"/etc/passwd\"}", "ERROR: bad arguments for au_lookup: unknown argument \"file\"; accepted: time, top.")]
    public async Task Bad_arguments_are_refused_with_the_expected_shape(string arguments, string expectedStart)
    {
        var output = await InvokeAsync(Input() with { AuCsvPath = media.AuCsv }, "au_lookup", arguments);

        Assert.StartsWith(expectedStart + " Expected: {\"type\":\"object\"", output);
    }

    [Fact]
    public async Task Numbers_in_quotes_are_accepted()
    {
        var output = await InvokeAsync(Input() with { AuCsvPath = media.AuCsv }, "au_lookup", "{\"time\": \"0.1\", \"top\": \"1\"}");

        Assert.Equal("AU intensities at 0.10 s (frame 2, timestamp 0.10 s): AU12 Lip corner puller (smile) 2.50.", output);
    }

    [Fact]
    public async Task A_tool_without_parameters_refuses_arguments()
    {
        var output = await InvokeAsync(Input(mediaPath: media.StaticVideo), "video_motion", "{\"filter\": \"freezedetect=n=1\"}");

        Assert.StartsWith("ERROR: bad arguments for video_motion: this tool takes no arguments, but \"filter\" was given.", output);
    }

    [Fact]
    public async Task A_tool_whose_data_is_missing_is_unknown()
    {
        var output = await InvokeAsync(Input(), "au_lookup", "{}");

        Assert.Equal("ERROR: unknown tool \"au_lookup\". Available tools: none.", output);
    }

    [Fact]
    public async Task A_slow_ffmpeg_run_is_stopped_at_the_time_limit()
    {
        var output = await InvokeAsync(Input(mediaPath: SharedVideo), "video_motion", options: new GateOptions { ToolTimeout = TimeSpan.FromMilliseconds(1) });

        Assert.Equal("ERROR: video_motion failed: ffmpeg took longer than 1 ms and was stopped.", output);
    }

    [Fact]
    public async Task A_missing_ffmpeg_is_reported()
    {
        var output = await InvokeAsync(Input(mediaPath: media.StaticVideo), "video_motion",
            options: new GateOptions { FfmpegPath = Path.Combine(media.Folder, "no-ffmpeg-here") });

        Assert.StartsWith("ERROR: video_motion failed: ffmpeg could not be started (", output);
    }

    [Fact]
    public void Tool_names_must_be_unique()
    {
        var error = Assert.Throws<ArgumentException>(() => new GateToolbox([new SubtitlesTool(), new SubtitlesTool()]));
        Assert.Contains("'subtitles' is used twice", error.Message);
    }

    private static async Task FfmpegAsync(params string[] arguments)
    {
        var startInfo = new System.Diagnostics.ProcessStartInfo("ffmpeg") { RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in (string[])["-hide_banner", "-nostdin", "-loglevel", "error", "-y", .. arguments]) startInfo.ArgumentList.Add(argument);
        using var process = System.Diagnostics.Process.Start(startInfo)!;
        var errors = await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        Assert.True(process.ExitCode == 0, errors);
    }

    [GeneratedRegex(@"mean volume (-?\d+(?:\.\d+)?) dB")]
    private static partial Regex MeanVolumePattern();
}
