using System.Collections.Concurrent;
using System.Text.Json;
using MerFactory.Llm.Tests.Fakes;
using MerFactory.Testing;

namespace MerFactory.Cli.Tests;

public sealed class PipelineEndToEndTests : IAsyncLifetime, IDisposable
{
    private readonly string _work = Directory.CreateTempSubdirectory("mf-e2e-").FullName;
    private readonly FakeOpenAi _model = new() { ApiKey = null, Answer = InstructionFollowingModel.Create() };

    private string InputDir => Path.Combine(_work, "in");
    private string OutputDir => Path.Combine(_work, "out");

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(InputDir);
        await _model.StartAsync();
    }

    public async Task DisposeAsync() => await _model.DisposeAsync();

    public void Dispose() => Directory.Delete(_work, recursive: true);

    private string[] WithModel(params string[] args) => [.. args, "--chatgpt-model", "gpt-4o", "--openai-base-url", new Uri(_model.BaseUrl, "v1").ToString(), "--model-capabilities", "text,image"];

    private string Out(string id, string suffix) => Path.Combine(OutputDir, id, id + suffix);

    [Fact]
    public async Task MerImageAndAudioFilesProduceRecordsInMerFactorysSchemas()
    {
        File.Copy(SharedData.DataPath("media", "openface_samples", "default.wmv"), Path.Combine(InputDir, "default.wmv"));
        File.Copy(SharedData.DataPath("media", "pyfeat", "single_face.jpg"), Path.Combine(InputDir, "face.jpg"));
        File.Copy(SharedData.DataPath("speech", "jfk.wav"), Path.Combine(InputDir, "jfk.wav"));

        var (exit, output) = await CliRunner.RunAsync(WithModel("process", InputDir, OutputDir, "--type", "MER", "-c", "3"));

        Assert.True(exit == 0, output);
        Assert.Empty(_model.Rejections);
        var mer = OutputSchemas.AssertValidFile("merr_data", Out("default", "_merr_data.json"));
        Assert.Equal(Path.Combine(InputDir, "default.wmv"), mer["source_path"]!.GetValue<string>());
        Assert.Equal(Out("default", ".wav"), mer["audio_path"]!.GetValue<string>());
        Assert.EndsWith("the most likely cause is the evidence at hand.", mer["final_summary"]!.GetValue<string>());
        var peak = mer["overall_peak_frame_info"]!;
        Assert.InRange(peak["frame_number"]!.GetValue<int>(), 1, 288);
        Assert.True(File.Exists(Out("default", "_peak_frame.png")));
        Assert.True(File.Exists(Out("default", ".csv")));
        var clues = mer["coarse_descriptions_at_peak"]!;
        var stepsJson = await File.ReadAllTextAsync(Out("default", "_steps.json"));
        foreach (var clue in new[] { "visual_objective", "audio_analysis", "video_content" })
            Assert.True(clues[clue]!.GetValue<string>().StartsWith("A person in a plain room", StringComparison.Ordinal), $"{clue}: {clues[clue]}\n{stepsJson}");

        var image = OutputSchemas.AssertValidFile("image_analysis", Out("face", "_image_analysis.json"));
        Assert.Contains("intensity", image["au_text_description"]!.GetValue<string>());
        Assert.EndsWith("based on the evidence at hand.", image["final_summary"]!.GetValue<string>());

        var audio = OutputSchemas.AssertValidFile("audio_analysis", Out("jfk", "_audio_analysis.json"));
        Assert.Equal(Path.Combine(InputDir, "jfk.wav"), audio["source_path"]!.GetValue<string>());
        // Our own transcript is a sidecar and evidence; the jfk clip says "ask not what your country can do for you".
        var transcript = JsonDocument.Parse(await File.ReadAllTextAsync(Out("jfk", "_transcript.json"))).RootElement;
        Assert.Contains("country", transcript.GetProperty("text").GetString(), StringComparison.OrdinalIgnoreCase);

        // The synthesis prompt carries MER-Factory's clue block (spec §5.3) built from the real artifacts.
        var synthesis = _model.Calls.Single(c => InstructionFollowingModel.IsSynthesis(c) && c.AllText.Contains("Chronological Emotion Peaks", StringComparison.Ordinal));
        Assert.Contains("- Audio clues: A person in a plain room", synthesis.AllText);
        Assert.Contains("- Video Content Overview: A person in a plain room", synthesis.AllText);
        Assert.Matches(@"Facial Expression Clues \(at overall peak \d+\.\d\ds\)", synthesis.AllText);
        // The image step of the MER pipeline saw the peak frame; gpt-4o takes no audio, so the audio step got our transcript.
        Assert.Contains(_model.Calls, c => c.Media.Any(m => m.Mime == "image/png"));
        Assert.Contains(_model.Calls, c => c.Media.Count == 0 && c.AllText.Contains("what your country can do", StringComparison.OrdinalIgnoreCase));

        var steps = JsonDocument.Parse(await File.ReadAllTextAsync(Out("default", "_steps.json"))).RootElement;
        var synthesisStep = steps.GetProperty("Steps").EnumerateArray().Single(s => s.GetProperty("Step").GetString() == "llm-synthesis");
        Assert.Equal("gpt-4o", synthesisStep.GetProperty("Model").GetString());
    }

    [Fact]
    public async Task VideoTypeWritesTheVideoRecordAndAuTypeNeedsNoModel()
    {
        File.Copy(SharedData.DataPath("media", "pyfeat", "single_face.mp4"), Path.Combine(InputDir, "clip.mp4"));

        var (exit, output) = await CliRunner.RunAsync(WithModel("process", InputDir, OutputDir, "--type", "video"));
        Assert.True(exit == 0, output);
        var video = OutputSchemas.AssertValidFile("video_analysis", Out("clip", "_video_analysis.json"));
        Assert.StartsWith("A person in a plain room", video["llm_video_summary"]!.GetValue<string>());

        var au = await CliRunner.RunAsync("process", InputDir, OutputDir, "--type", "AU");
        Assert.True(au.ExitCode == 0, au.Output);
        OutputSchemas.AssertValidFile("au_analysis", Out("clip", "_au_analysis.json"));
    }

    [Theory]
    [InlineData("MERR", "Thus the emotion is: happy", "Therefore, the emotion is: happy", "happy")]
    [InlineData("Sentiment Analysis", "Therefore, the sentiment is: Positive", "Therefore, the sentiment is: Positive", "Positive")]
    public async Task LabelledMerAndImageRunsEndWithTheRequiredSentence(string task, string merEnding, string imageEnding, string label)
    {
        _model.Answer = InstructionFollowingModel.ForgetConclusionOnce();
        File.Copy(SharedData.DataPath("media", "pyfeat", "single_face.mp4"), Path.Combine(InputDir, "clip.mp4"));
        File.Copy(SharedData.DataPath("media", "pyfeat", "single_face.jpg"), Path.Combine(InputDir, "face.jpg"));
        var labels = Path.Combine(_work, "labels.csv");
        await File.WriteAllTextAsync(labels, $"name,label\nclip,{label}\nface,{label}\n");

        var (exit, output) = await CliRunner.RunAsync(WithModel("process", InputDir, OutputDir, "--label-file", labels, "--task", task, "-c", "1"));

        Assert.True(exit == 0, output);
        var mer = OutputSchemas.AssertValidFile("merr_data", Out("clip", "_merr_data.json"));
        Assert.EndsWith(merEnding, mer["final_summary"]!.GetValue<string>());
        Assert.Equal(label, mer["ground_truth_label"]!.GetValue<string>());
        var image = OutputSchemas.AssertValidFile("image_analysis", Out("face", "_image_analysis.json"));
        Assert.EndsWith(imageEnding, image["final_summary"]!.GetValue<string>());
        Assert.Equal(label, image["ground_truth_label"]!.GetValue<string>());
        // The first synthesis answer lacked its conclusion: the pipeline asked again instead of saving it.
        Assert.Contains(_model.Calls, c => c.AllText.Contains("did not end with the required concluding sentence", StringComparison.Ordinal));
        var labelLine = task == "MERR" ? $"- Ground Truth Emotion Label: {label}" : $"- Ground Truth Sentiment Label: {label}";
        Assert.Contains(_model.Calls, c => c.AllText.Contains(labelLine, StringComparison.Ordinal));
        // The peak-frame description never sees the label; the image pipeline's own description does.
        Assert.Contains(_model.Calls, c => c.Media.Count == 1 && c.AllText.Contains($"labeled as \"{label}\"", StringComparison.Ordinal));
    }

    [Fact]
    public async Task WithoutAModelAuAndTranscriptsAreWrittenAndLlmStepsAreSkippedWithTheReason()
    {
        File.Copy(SharedData.DataPath("media", "pyfeat", "single_face.mp4"), Path.Combine(InputDir, "clip.mp4"));

        // Without --evidence-only a type that needs a model refuses to start, naming the flags and variables.
        var (refused, refusal) = await CliRunner.RunAsync("process", InputDir, OutputDir);
        Assert.True(refused == 2, refusal);
        foreach (var name in new[] { "--chatgpt-model", "OPENAI_API_KEY", "--ollama-vision-model", "OLLAMA_HOST", "GOOGLE_API_KEY", "--evidence-only" })
            Assert.Contains(name, refusal.ReplaceLineEndings(" "));
        Assert.False(File.Exists(Path.Combine(OutputDir, "run_summary.json")));

        var (exit, output) = await CliRunner.RunAsync("process", InputDir, OutputDir, "--evidence-only");

        Assert.True(exit == 0, output);
        Assert.Contains("LLM: none (--evidence-only)", output);
        Assert.Contains("Dataset records written: 0 of 1 (1 file(s) with evidence only", output);
        Assert.Equal(0, JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(OutputDir, "run_summary.json"))).RootElement.GetProperty("RecordsWritten").GetInt32());
        Assert.Contains("synthesis skipped: no LLM configured", output);
        Assert.True(File.Exists(Out("clip", ".csv")));
        Assert.True(File.Exists(Out("clip", ".wav")));
        Assert.True(File.Exists(Out("clip", "_transcript.json")));
        OutputSchemas.AssertValidFile("au_analysis", Out("clip", "_au_analysis.json"));
        Assert.False(File.Exists(Out("clip", "_merr_data.json")));  // never a record with invented or empty text
        var steps = JsonDocument.Parse(await File.ReadAllTextAsync(Out("clip", "_steps.json"))).RootElement.GetProperty("Steps");
        Assert.Contains(steps.EnumerateArray(), s => s.GetProperty("Step").GetString() == "llm-synthesis" && s.GetProperty("Status").GetString() == "skipped");
    }

    [Fact]
    public async Task BadLabelFilesStopTheRunBeforeAnyWork()
    {
        File.Copy(SharedData.DataPath("speech", "jfk.wav"), Path.Combine(InputDir, "jfk.wav"));
        var labels = Path.Combine(_work, "labels.csv");
        await File.WriteAllTextAsync(labels, "file,emotion\njfk,calm\n");
        var (exit, output) = await CliRunner.RunAsync("process", InputDir, OutputDir, "--label-file", labels);
        Assert.Equal(1, exit);
        Assert.Contains("must contain 'name' and 'label' columns", output);
        Assert.False(Directory.Exists(Path.Combine(OutputDir, "jfk")));
    }

    [Fact]
    public async Task AKilledRunResumesWithoutRepeatingAnyFinishedLlmStep()
    {
        File.Copy(SharedData.DataPath("media", "pyfeat", "single_face.mp4"), Path.Combine(InputDir, "clip.mp4"));
        File.Copy(SharedData.DataPath("media", "openface_samples", "default.wmv"), Path.Combine(InputDir, "default.wmv"));
        File.Copy(SharedData.DataPath("media", "pyfeat", "single_face.jpg"), Path.Combine(InputDir, "face.jpg"));
        File.Copy(SharedData.DataPath("speech", "jfk.wav"), Path.Combine(InputDir, "jfk.wav"));
        var args = WithModel("process", InputDir, OutputDir, "--cache", "-c", "1");

        // Kill the CLI the moment the model receives its 6th request: some files are finished, calls are in flight.
        var signatures = new ConcurrentQueue<string>();
        var sixth = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        _model.CallReceived += call =>
        {
            signatures.Enqueue(Signature(call));
            if (signatures.Count == 6) sixth.TrySetResult(Signature(call));
        };
        using (var first = CliRunner.Start(null, args))
        {
            _ = first.StandardOutput.ReadToEndAsync();
            _ = first.StandardError.ReadToEndAsync();
            await sixth.Task.WaitAsync(TimeSpan.FromMinutes(5));
            first.Kill(entireProcessTree: true);
            await first.WaitForExitAsync();
        }
        var firstRunCalls = signatures.Count;
        // At -c 1 a MER file has at most three LLM steps in flight (image, audio, video): only the last requests of the
        // killed run can lack a committed answer.
        var inFlight = signatures.TakeLast(3).ToHashSet();

        var (exit, output) = await CliRunner.RunAsync(null, args);

        Assert.True(exit == 0, output);
        Assert.True(signatures.Count > firstRunCalls, "the rerun had work left to do");
        // Only a request in flight when the process died may be asked again, and only once.
        var repeated = signatures.GroupBy(s => s).Where(g => g.Count() > 1).ToList();
        Assert.True(repeated.All(g => g.Count() == 2 && inFlight.Contains(g.Key)), $"repeated requests: {repeated.Count}, in flight at the kill: {inFlight.Count}");
        OutputSchemas.AssertValidFile("merr_data", Out("clip", "_merr_data.json"));
        OutputSchemas.AssertValidFile("merr_data", Out("default", "_merr_data.json"));
        OutputSchemas.AssertValidFile("image_analysis", Out("face", "_image_analysis.json"));
        OutputSchemas.AssertValidFile("audio_analysis", Out("jfk", "_audio_analysis.json"));
        Assert.Equal([], Directory.GetFiles(OutputDir, "*.partial", SearchOption.AllDirectories));
        var summary = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(OutputDir, "run_summary.json"))).RootElement;
        Assert.Equal(4, summary.GetProperty("Total").GetInt32());
        Assert.Equal(0, summary.GetProperty("Failed").GetInt32());

        // A third run has nothing left: every file is skipped as cached and the model is not called.
        var before = signatures.Count;
        var third = await CliRunner.RunAsync(null, args);
        Assert.True(third.ExitCode == 0, third.Output);
        Assert.Contains("Skipped (Cached): 4", third.Output);
        Assert.Equal(before, signatures.Count);
    }

    [Fact]
    public async Task TheGateAgentRejectsAnOutputRefinesItsInstructionAndSynthesisUsesTheRegeneratedText()
    {
        const string refined = "Transcribe the speech, then describe only the audible tone, citing concrete acoustic cues.";
        var follow = InstructionFollowingModel.Create();
        _model.Answer = call =>
        {
            var text = call.AllText;
            if (text.Contains("Write a short verification plan", StringComparison.Ordinal)) return "1. Judge the audio claim from the transcript.";
            if (text.Contains("Write a refined instruction that:", StringComparison.Ordinal)) return refined;
            if (text.Contains("Decide, for each output under review", StringComparison.Ordinal))
            {
                var audio = text.Contains("Round 2", StringComparison.Ordinal) ? "pass" : "fail";
                return "```json\n{\"action\":\"final_decision\",\"evaluation\":{" +
                    $"\"audio\":{{\"status\":\"{audio}\",\"reason\":\"The tone claim cites no audible cue.\"}}," +
                    "\"video\":{\"status\":\"pass\",\"reason\":\"Consistent.\"},\"peak_frame\":{\"status\":\"pass\",\"reason\":\"Concrete.\"}," +
                    "\"au\":{\"status\":\"pass\",\"reason\":\"Matches the face.\"}}}\n```";
            }
            return text.StartsWith(refined, StringComparison.Ordinal) ? "Regenerated: a calm, even voice with clear diction." : follow(call);
        };
        File.Copy(SharedData.DataPath("media", "pyfeat", "single_face.mp4"), Path.Combine(InputDir, "clip.mp4"));

        var (exit, output) = await CliRunner.RunAsync(WithModel("process", InputDir, OutputDir, "--use-gate-agent"));

        Assert.True(exit == 0, output);
        Assert.Equal(refined, (await File.ReadAllTextAsync(Path.Combine(OutputDir, "clip", "refined_prompt_audio_1.txt"))).Trim());
        Assert.True(File.Exists(Out("clip", "_gate.json")));
        var mer = OutputSchemas.AssertValidFile("merr_data", Out("clip", "_merr_data.json"));
        Assert.Equal("Regenerated: a calm, even voice with clear diction.", mer["coarse_descriptions_at_peak"]!["audio_analysis"]!.GetValue<string>());
        var synthesis = _model.Calls.Single(InstructionFollowingModel.IsSynthesis);
        Assert.Contains("- Audio clues: Regenerated: a calm, even voice", synthesis.AllText);
    }

    [Fact]
    public async Task MerWithCacheReusesTheAudioAndVideoResultsOfEarlierRuns()
    {
        File.Copy(SharedData.DataPath("media", "pyfeat", "single_face.mp4"), Path.Combine(InputDir, "clip.mp4"));
        Assert.Equal(0, (await CliRunner.RunAsync(WithModel("process", InputDir, OutputDir, "--type", "audio"))).ExitCode);
        Assert.Equal(0, (await CliRunner.RunAsync(WithModel("process", InputDir, OutputDir, "--type", "video"))).ExitCode);
        var audio = OutputSchemas.AssertValidFile("audio_analysis", Out("clip", "_audio_analysis.json"))["audio_analysis"]!.GetValue<string>();
        var video = OutputSchemas.AssertValidFile("video_analysis", Out("clip", "_video_analysis.json"))["llm_video_summary"]!.GetValue<string>();
        var before = _model.Calls.Count;

        var (exit, output) = await CliRunner.RunAsync(WithModel("process", InputDir, OutputDir, "--type", "MER", "--cache"));

        Assert.True(exit == 0, output);
        var mer = OutputSchemas.AssertValidFile("merr_data", Out("clip", "_merr_data.json"));
        Assert.Equal(audio, mer["coarse_descriptions_at_peak"]!["audio_analysis"]!.GetValue<string>());
        Assert.Equal(video, mer["coarse_descriptions_at_peak"]!["video_content"]!.GetValue<string>());
        // Only the peak-frame description and the synthesis were asked (spec §1.7 B: the "best of breed" workflow).
        Assert.Equal(2, _model.Calls.Count - before);
    }

    [Fact]
    public async Task OllamaFlagsUseTheOllamaAtOllamaHost()
    {
        await using var ollama = new FakeOllama { Answer = InstructionFollowingModel.Create() };
        await ollama.StartAsync();
        File.Copy(SharedData.DataPath("media", "pyfeat", "single_face.jpg"), Path.Combine(InputDir, "face.jpg"));

        var (exit, output) = await CliRunner.RunAsync(new Dictionary<string, string> { ["OLLAMA_HOST"] = ollama.BaseUrl.ToString() },
            "process", InputDir, OutputDir, "--ollama-vision-model", "llava:13b", "--ollama-text-model", "llama3.2");

        Assert.True(exit == 0, output);
        Assert.Empty(ollama.Rejections);
        var image = OutputSchemas.AssertValidFile("image_analysis", Out("face", "_image_analysis.json"));
        Assert.EndsWith("based on the evidence at hand.", image["final_summary"]!.GetValue<string>());
        // The photo went to the vision model, the synthesis to the text model (MER-Factory's Ollama split).
        Assert.Contains(ollama.Calls, c => c.Model == "llava:13b" && c.Media.Count == 1);
        Assert.Contains(ollama.Calls, c => c.Model == "llama3.2" && InstructionFollowingModel.IsSynthesis(c));
    }

    private static string Signature(RecordedCall call) => $"{call.Model}|{call.AllText}|{string.Join(",", call.Media.Select(m => m.Sha256))}";
}
