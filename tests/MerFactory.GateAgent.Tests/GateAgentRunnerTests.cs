using System.Text.Json;
using MerFactory.GateAgent;

namespace MerFactory.GateAgent.Tests;

public sealed class GateAgentRunnerTests(MediaFixture media) : IClassFixture<MediaFixture>
{
    private const string AudioVague = "The audio analysis names no vocal cue at all.";
    private const string RegeneratedAudio = "Transcript: \"I am so happy today!\" Loud, fast speech with rising pitch and laughter.";

    private static CancellationToken Token => CancellationToken.None;

    private static Task<GateOutcome> RunAsync(GateInput input, ScriptedGateModel model, RegenerationRecorder regeneration, GateOptions? options = null) =>
        new GateAgentRunner().RunAsync(input, model, regeneration.RegenerateAsync, options ?? new GateOptions(), Token);

    [Fact]
    public async Task Every_modality_passes_on_the_first_decision()
    {
        var model = new ScriptedGateModel(Answers.Plan, Answers.AllPass());
        var regeneration = new RegenerationRecorder();

        var outcome = await RunAsync(GateTestInputs.Full(), model, regeneration);

        Assert.Equal(2, outcome.ModelCalls);
        Assert.Equal(1, outcome.Rounds);
        Assert.All(outcome.Decisions, d => Assert.Equal(GateVerdict.Passed, d.Verdict));
        Assert.Equal("audio is specific and consistent", outcome.Decision(GateModality.Audio).Reason);
        Assert.False(outcome.AuRejected);
        Assert.Empty(regeneration.Calls);
        Assert.Empty(outcome.RefinedPrompts);
        Assert.Equal(GateTestInputs.AudioText, outcome.Evidence.AudioAnalysis);
        Assert.Equal(GateTestInputs.AuText, outcome.Evidence.PeakFrameAuDescription);
        Assert.Equal(["Peak at 0.10s: happy (moderate)"], outcome.Evidence.DetectedEmotions);

        var planning = model.Prompts[0];
        Assert.Contains("Gate Agent", planning);
        Assert.Contains("numbered list", planning);
        Assert.Contains(GateTestInputs.AudioText, planning);
        Assert.Contains("Ground-truth label: happy", planning);
        var evaluation = model.Prompts[1];
        Assert.Contains(Answers.Plan, evaluation);
        Assert.Contains("\"final_decision\"", evaluation);
        Assert.Contains("\"oneOf\"", evaluation);
        Assert.Contains("overall peak frame at 0.10 s", evaluation);
        Assert.DoesNotContain("run_terminal_command", evaluation);
        Assert.DoesNotContain("run_python_code", evaluation);
    }

    [Fact]
    public async Task Only_the_tools_the_sample_has_data_for_are_offered()
    {
        var withAuOnly = GateTestInputs.Full() with { AuCsvPath = media.AuCsv };
        var model = new ScriptedGateModel(Answers.Plan, Answers.Tool("media_metrics"), Answers.AllPass());

        await RunAsync(withAuOnly, model, new RegenerationRecorder());

        Assert.Contains("- au_lookup:", model.Prompts[1]);
        Assert.DoesNotContain("- media_metrics:", model.Prompts[1]);
        Assert.DoesNotContain("- video_motion:", model.Prompts[1]);
        Assert.Contains("unknown tool \"media_metrics\"; available tools: au_lookup.", model.Prompts[2]);
    }

    [Fact]
    public async Task Tool_output_appears_in_the_next_prompt()
    {
        var input = GateTestInputs.Full(mediaPath: media.MovingVideo, audioPath: media.LoudWav);
        var model = new ScriptedGateModel(Answers.Plan, Answers.Tool("media_metrics", "{\"source\": \"audio\"}"), Answers.AllPass());

        var outcome = await RunAsync(input, model, new RegenerationRecorder());

        Assert.Equal(3, outcome.ModelCalls);
        Assert.DoesNotContain("TOOL_OUTPUT", model.Prompts[1]);
        Assert.StartsWith(model.Prompts[1], model.Prompts[2]);
        Assert.Contains("TOOL_OUTPUT (media_metrics):\nMedia metrics (audio, loud.wav): duration 2.00 s, mean volume -", model.Prompts[2]);
        Assert.Contains("Loudness band by mean volume: loud", model.Prompts[2]);
        Assert.Contains(outcome.Log, e => e.Kind == GateLogKind.ToolResult && e.Text.Contains("loud.wav", StringComparison.Ordinal));
        Assert.All(outcome.Decisions, d => Assert.Equal(GateVerdict.Passed, d.Verdict));
    }

    [Fact]
    public async Task Failed_audio_is_refined_regenerated_and_passes_in_the_next_round()
    {
        const string refined = "Transcribe the audio, then name the pitch, pace and loudness you actually hear.";
        var model = new ScriptedGateModel(
            Answers.Plan,
            Answers.AllPass(("audio", "fail", AudioVague)),
            "Refined instruction: " + refined,
            Answers.Plan,
            Answers.AllPass());
        var regeneration = new RegenerationRecorder((GateModality.Audio, RegeneratedAudio));

        var outcome = await RunAsync(GateTestInputs.Full(), model, regeneration);

        Assert.Equal([(GateModality.Audio, refined)], regeneration.Calls);
        Assert.Equal(RegeneratedAudio, outcome.Evidence.AudioAnalysis);
        Assert.Equal(5, outcome.ModelCalls);
        Assert.Equal(2, outcome.Rounds);
        var audio = outcome.Decision(GateModality.Audio);
        Assert.Equal(GateVerdict.Passed, audio.Verdict);
        Assert.Equal(1, audio.Retries);
        Assert.Equal([new GateEvaluation(1, false, AudioVague), new GateEvaluation(2, true, "audio is specific and consistent")], audio.Evaluations);
        var prompt = Assert.Single(outcome.RefinedPrompts);
        Assert.Equal(new RefinedPrompt(GateModality.Audio, 1, AudioVague, refined), prompt);
        Assert.Equal("refined_prompt_audio_1.txt", prompt.FileName);

        // The refiner sees the instruction actually used (label filled in), the reason and the rejected output.
        var refinement = model.Prompts[2];
        Assert.Contains(GateTestInputs.AudioPrompt, refinement);
        Assert.Contains(AudioVague, refinement);
        Assert.Contains(GateTestInputs.AudioText, refinement);
        Assert.Contains("task: MERR", refinement);
        Assert.DoesNotContain("{label}", refinement);

        var secondEvaluation = model.Prompts[4];
        Assert.Contains(RegeneratedAudio, secondEvaluation);
        Assert.DoesNotContain(GateTestInputs.AudioText, secondEvaluation);
        Assert.Contains($"- round 1, audio: {AudioVague}", secondEvaluation);
        Assert.Contains("Regenerated for this round: audio.", secondEvaluation);
    }

    [Fact]
    public async Task The_refiner_is_told_the_task_and_gets_the_unlabelled_instruction_that_was_used()
    {
        const string unlabelled = "Listen to this audio and describe the speaker's tone.";
        var input = GateTestInputs.Full() with
        {
            Task = GateTask.SentimentAnalysis,
            OriginalPrompts = new Dictionary<GateModality, string> { [GateModality.Audio] = unlabelled },
        };
        var model = new ScriptedGateModel(Answers.Plan, Answers.AllPass(("audio", "fail", AudioVague)), "Name the tone.", Answers.Plan, Answers.AllPass());

        await RunAsync(input, model, new RegenerationRecorder((GateModality.Audio, RegeneratedAudio)));

        Assert.Contains("task: Sentiment Analysis", model.Prompts[2]);
        Assert.Contains("Original instruction:\n" + unlabelled, model.Prompts[2]);
        Assert.DoesNotContain("labeled as", model.Prompts[2]);
    }

    [Fact]
    public async Task A_second_refinement_sees_the_original_and_the_last_refined_instruction()
    {
        var model = new ScriptedGateModel(
            Answers.Plan, Answers.AllPass(("video", "fail", "No gestures are described.")), "Describe every gesture.",
            Answers.Plan, Answers.AllPass(("video", "fail", "Gestures lack timing.")), "Describe every gesture with its timing.",
            Answers.Plan, Answers.AllPass());
        var regeneration = new RegenerationRecorder((GateModality.Video, "She waves twice."), (GateModality.Video, "At 1 s she waves twice; at 3 s she nods."));

        var outcome = await RunAsync(GateTestInputs.Full(), model, regeneration);

        Assert.Equal(3, outcome.Rounds);
        Assert.Equal(8, outcome.ModelCalls);
        Assert.Equal(2, outcome.Decision(GateModality.Video).Retries);
        Assert.Equal(GateVerdict.Passed, outcome.Decision(GateModality.Video).Verdict);
        Assert.Equal(["refined_prompt_video_1.txt", "refined_prompt_video_2.txt"], outcome.RefinedPrompts.Select(p => p.FileName));
        var secondRefinement = model.Prompts[5];
        Assert.Contains("Original instruction:\n" + GateTestInputs.VideoPrompt, secondRefinement);
        Assert.Contains("Most recent (refined) instruction, which also produced a rejected output:\nDescribe every gesture.", secondRefinement);
        Assert.Contains("She waves twice.", secondRefinement);
    }

    [Fact]
    public async Task A_modality_that_still_fails_with_no_retry_left_is_dropped()
    {
        var model = new ScriptedGateModel(
            Answers.Plan, Answers.AllPass(("video", "fail", "No gestures are described.")), "Describe every gesture.",
            Answers.Plan, Answers.AllPass(("video", "fail", "Still no gestures.")));
        var regeneration = new RegenerationRecorder((GateModality.Video, "A person is in a room."));

        var outcome = await RunAsync(GateTestInputs.Full(), model, regeneration, new GateOptions { MaxRetriesPerModality = 1 });

        Assert.Single(regeneration.Calls);
        var video = outcome.Decision(GateModality.Video);
        Assert.Equal(GateVerdict.Dropped, video.Verdict);
        Assert.False(video.Kept);
        Assert.Equal(1, video.Retries);
        Assert.Contains("no retry left", video.Reason);
        Assert.Contains("Still no gestures.", video.Reason);
        Assert.Equal("", outcome.Evidence.VideoDescription);
        Assert.Equal(GateTestInputs.AudioText, outcome.Evidence.AudioAnalysis);
        Assert.Equal(5, outcome.ModelCalls);
        Assert.Equal(0, model.Remaining);
        Assert.Single(outcome.RefinedPrompts);
    }

    [Fact]
    public async Task With_no_retries_allowed_a_failed_modality_is_dropped_without_refinement()
    {
        var model = new ScriptedGateModel(Answers.Plan, Answers.AllPass(("peak_frame", "fail", "Describes objects not in a face video.")));
        var regeneration = new RegenerationRecorder();

        var outcome = await RunAsync(GateTestInputs.Full(), model, regeneration, new GateOptions { MaxRetriesPerModality = 0 });

        Assert.Equal(GateVerdict.Dropped, outcome.Decision(GateModality.PeakFrame).Verdict);
        Assert.Equal("", outcome.Evidence.PeakFrameDescription);
        Assert.Equal(2, outcome.ModelCalls);
        Assert.Empty(regeneration.Calls);
        Assert.Empty(outcome.RefinedPrompts);
    }

    [Fact]
    public async Task A_failed_au_is_rejected_without_retry()
    {
        var model = new ScriptedGateModel(Answers.Plan, Answers.AllPass(("au", "fail", "A neutral face contradicts the shouting voice.")));
        var regeneration = new RegenerationRecorder();

        var outcome = await RunAsync(GateTestInputs.Full(), model, regeneration);

        Assert.True(outcome.AuRejected);
        Assert.Equal(GateVerdict.AuRejected, outcome.Decision(GateModality.Au).Verdict);
        Assert.Equal("AU data rejected by Gate Agent due to low quality/inconsistency.", outcome.Evidence.PeakFrameAuDescription);
        Assert.Equal(["neutral (AU rejected)"], outcome.Evidence.DetectedEmotions);
        Assert.Equal(GateTestInputs.AudioText, outcome.Evidence.AudioAnalysis);
        Assert.Empty(regeneration.Calls);
        Assert.Empty(outcome.RefinedPrompts);
        Assert.Equal(2, outcome.ModelCalls);
        Assert.Equal(1, outcome.Rounds);
    }

    [Fact]
    public async Task A_rejected_au_is_not_reviewed_again_in_later_rounds()
    {
        var model = new ScriptedGateModel(
            Answers.Plan,
            Answers.AllPass(("audio", "fail", AudioVague), ("au", "fail", "Neutral face against a loud voice.")),
            "Name the vocal cues.",
            Answers.Plan,
            Answers.Decision(("audio", "pass", "cues named"), ("video", "pass", "fine"), ("peak_frame", "pass", "fine")));

        var outcome = await RunAsync(GateTestInputs.Full(), model, new RegenerationRecorder((GateModality.Audio, RegeneratedAudio)));

        Assert.Equal(2, outcome.Rounds);
        Assert.Equal(GateVerdict.AuRejected, outcome.Decision(GateModality.Au).Verdict);
        Assert.Equal(GateVerdict.Passed, outcome.Decision(GateModality.Audio).Verdict);
        Assert.Contains("Not under review: au (AU evidence rejected in an earlier round).", model.Prompts[4]);
        Assert.DoesNotContain("[au]", model.Prompts[4]);
    }

    [Fact]
    public async Task Malformed_json_gets_a_corrective_message_and_counts_as_a_turn()
    {
        var model = new ScriptedGateModel(Answers.Plan, "I think everything looks fine.", Answers.AllPass());

        var outcome = await RunAsync(GateTestInputs.Full(), model, new RegenerationRecorder(), new GateOptions { MaxTurns = 2 });

        Assert.Equal(3, outcome.ModelCalls);
        Assert.Contains("[answer 1]\nI think everything looks fine.", model.Prompts[2]);
        Assert.Contains("GATE: your last answer was not accepted:\n- The answer is not valid JSON", model.Prompts[2]);
        Assert.Contains(outcome.Log, e => e.Kind == GateLogKind.Correction);
        Assert.All(outcome.Decisions, d => Assert.Equal(GateVerdict.Passed, d.Verdict));
    }

    [Fact]
    public async Task Every_schema_violation_of_a_decision_is_reported_at_once()
    {
        const string broken = "{\"action\": \"final_decision\", \"evaluation\": {\"audio\": {\"status\": \"maybe\", \"reason\": \"unsure\"}, "
                              + "\"video\": {\"status\": \"pass\", \"reason\": \"\"}, \"peak_frame\": {\"status\": \"pass\", \"reason\": \"ok\"}}}";
        var model = new ScriptedGateModel(Answers.Plan, Answers.Fenced(broken), Answers.AllPass());

        var outcome = await RunAsync(GateTestInputs.Full(), model, new RegenerationRecorder());

        var correction = model.Prompts[2];
        Assert.Contains("- evaluation.audio.status must be \"pass\" or \"fail\".", correction);
        Assert.Contains("- evaluation.video.reason must be a non-empty string", correction);
        Assert.Contains("- evaluation.au is missing.", correction);
        Assert.DoesNotContain("evaluation.peak_frame", correction);
        Assert.All(outcome.Decisions, d => Assert.Equal(GateVerdict.Passed, d.Verdict));
    }

    [Fact]
    public async Task An_unknown_tool_gets_a_corrective_message_naming_the_available_tools()
    {
        var input = GateTestInputs.Full(mediaPath: media.StaticVideo, audioPath: media.LoudWav);
        var model = new ScriptedGateModel(Answers.Plan, Answers.Tool("run_terminal_command", "{\"cmd\": \"ls /\"}"), Answers.AllPass());

        var outcome = await RunAsync(input, model, new RegenerationRecorder());

        Assert.Contains("unknown tool \"run_terminal_command\"; available tools: media_metrics, video_motion, subtitles. There is no shell and no code execution.", model.Prompts[2]);
        Assert.DoesNotContain("TOOL_OUTPUT", model.Prompts[2]);
        Assert.Equal(3, outcome.ModelCalls);
    }

    [Fact]
    public async Task Bad_tool_arguments_return_an_error_and_the_tool_does_not_run()
    {
        var input = GateTestInputs.Full(audioPath: media.LoudWav) with { AuCsvPath = media.AuCsv };
        var model = new ScriptedGateModel(
            Answers.Plan,
            Answers.Tool("au_lookup", "{\"time\": -3}"),
            Answers.Tool("media_metrics", "{\"source\": \"/etc/passwd\"}"),
            Answers.Tool("media_metrics", "{\"path\": \"/etc/passwd\"}"),
            Answers.AllPass());

        var outcome = await RunAsync(input, model, new RegenerationRecorder());

        Assert.Contains("TOOL_OUTPUT (au_lookup):\nERROR: bad arguments for au_lookup: \"time\" must be between 0 and 86400, not -3.", model.Prompts[2]);
        Assert.Contains("TOOL_OUTPUT (media_metrics):\nERROR: bad arguments for media_metrics: \"source\" must be one of \"audio\", \"video\", not \"/etc/passwd\".", model.Prompts[3]);
        Assert.Contains("ERROR: bad arguments for media_metrics: unknown argument \"path\"; accepted: source.", model.Prompts[4]);
        Assert.DoesNotContain("Media metrics (", model.Prompts[4]);
        Assert.Equal(5, outcome.ModelCalls);
    }

    [Fact]
    public async Task Reaching_the_turn_limit_keeps_every_output_as_undecided()
    {
        var model = new ScriptedGateModel(Answers.Plan, "no", "still no", Answers.Fenced("{\"action\": \"think\"}"));

        var outcome = await RunAsync(GateTestInputs.Full(), model, new RegenerationRecorder(), new GateOptions { MaxTurns = 3 });

        Assert.Equal(4, outcome.ModelCalls);
        Assert.Equal(0, model.Remaining);
        Assert.All(outcome.Decisions, d =>
        {
            Assert.Equal(GateVerdict.PassedUndecided, d.Verdict);
            Assert.True(d.Kept);
            Assert.Equal("undecided: no valid final decision within 3 turn(s); kept", d.Reason);
            Assert.Empty(d.Evaluations);
        });
        Assert.Equal(GateTestInputs.VideoText, outcome.Evidence.VideoDescription);
        Assert.Contains("\"action\" must be \"tool_use\" or \"final_decision\", not \"think\".", outcome.Log.Last(e => e.Kind == GateLogKind.Correction).Text);
    }

    [Fact]
    public async Task An_undecided_later_round_keeps_earlier_passes_and_marks_only_the_regenerated_output_undecided()
    {
        var model = new ScriptedGateModel(Answers.Plan, Answers.AllPass(("audio", "fail", AudioVague)), "Name the vocal cues.", Answers.Plan, "garbage");

        var outcome = await RunAsync(GateTestInputs.Full(), model, new RegenerationRecorder((GateModality.Audio, RegeneratedAudio)), new GateOptions { MaxTurns = 1 });

        Assert.Equal(GateVerdict.PassedUndecided, outcome.Decision(GateModality.Audio).Verdict);
        Assert.Equal(RegeneratedAudio, outcome.Evidence.AudioAnalysis);
        Assert.Equal(GateVerdict.Passed, outcome.Decision(GateModality.Video).Verdict);
        Assert.Equal("video is specific and consistent", outcome.Decision(GateModality.Video).Reason);
    }

    [Fact]
    public async Task The_call_budget_ends_the_evaluation_undecided()
    {
        var model = new ScriptedGateModel(Answers.Plan, "garbage", "more garbage");

        var outcome = await RunAsync(GateTestInputs.Full(), model, new RegenerationRecorder(), new GateOptions { MaxModelCalls = 3 });

        Assert.Equal(3, outcome.ModelCalls);
        Assert.All(outcome.Decisions, d => Assert.Equal("undecided: the model call budget (3) ran out before a final decision; kept", d.Reason));
    }

    [Fact]
    public async Task With_no_call_left_to_refine_a_failed_modality_is_dropped()
    {
        var model = new ScriptedGateModel(Answers.Plan, Answers.AllPass(("audio", "fail", AudioVague)));
        var regeneration = new RegenerationRecorder();

        var outcome = await RunAsync(GateTestInputs.Full(), model, regeneration, new GateOptions { MaxModelCalls = 2 });

        Assert.Equal(GateVerdict.Dropped, outcome.Decision(GateModality.Audio).Verdict);
        Assert.Contains("model call budget (2)", outcome.Decision(GateModality.Audio).Reason);
        Assert.Empty(regeneration.Calls);
        Assert.Equal(2, outcome.ModelCalls);
    }

    [Fact]
    public async Task With_one_call_allowed_the_plan_is_skipped()
    {
        var model = new ScriptedGateModel(Answers.AllPass());

        var outcome = await RunAsync(GateTestInputs.Full(), model, new RegenerationRecorder(), new GateOptions { MaxModelCalls = 1 });

        Assert.Equal(1, outcome.ModelCalls);
        Assert.Contains("(no plan: the model call budget is nearly used up)", model.Prompts[0]);
        Assert.All(outcome.Decisions, d => Assert.Equal(GateVerdict.Passed, d.Verdict));
    }

    [Fact]
    public async Task An_empty_refinement_falls_back_to_the_original_instruction_and_the_reason()
    {
        var model = new ScriptedGateModel(Answers.Plan, Answers.AllPass(("audio", "fail", AudioVague)), "   ", Answers.Plan, Answers.AllPass());
        var regeneration = new RegenerationRecorder((GateModality.Audio, RegeneratedAudio));

        await RunAsync(GateTestInputs.Full(), model, regeneration);

        var instruction = Assert.Single(regeneration.Calls).Instruction;
        Assert.StartsWith(GateTestInputs.AudioPrompt, instruction);
        Assert.Contains("rejected by quality control because: " + AudioVague, instruction);
    }

    [Fact]
    public async Task A_regeneration_that_returns_nothing_drops_the_modality()
    {
        var model = new ScriptedGateModel(Answers.Plan, Answers.AllPass(("video", "fail", "Too vague.")), "Describe the gestures.");

        var outcome = await RunAsync(GateTestInputs.Full(), model, new RegenerationRecorder((GateModality.Video, "  ")));

        Assert.Equal(GateVerdict.Dropped, outcome.Decision(GateModality.Video).Verdict);
        Assert.Contains("returned no text", outcome.Decision(GateModality.Video).Reason);
        Assert.Equal(1, outcome.Rounds);
    }

    [Fact]
    public async Task An_absent_modality_is_not_reviewed_or_required()
    {
        var input = GateTestInputs.Full() with { Evidence = GateTestInputs.Full().Evidence with { AudioAnalysis = "" } };
        var model = new ScriptedGateModel(Answers.Plan, Answers.Decision(("video", "pass", "ok"), ("peak_frame", "pass", "ok"), ("au", "pass", "ok")));

        var outcome = await RunAsync(input, model, new RegenerationRecorder());

        Assert.Equal(GateVerdict.NotPresent, outcome.Decision(GateModality.Audio).Verdict);
        Assert.Equal(GateVerdict.Passed, outcome.Decision(GateModality.Video).Verdict);
        Assert.DoesNotContain("[audio]", model.Prompts[1]);
        Assert.Equal(2, outcome.ModelCalls);
    }

    [Fact]
    public async Task The_same_answers_give_the_same_outcome_and_log()
    {
        string[] script = [Answers.Plan, "oops", Answers.AllPass(("audio", "fail", AudioVague)), "Name the cues.", Answers.Plan, Answers.AllPass()];
        var first = await RunAsync(GateTestInputs.Full(), new ScriptedGateModel(script), new RegenerationRecorder((GateModality.Audio, RegeneratedAudio)));
        var second = await RunAsync(GateTestInputs.Full(), new ScriptedGateModel(script), new RegenerationRecorder((GateModality.Audio, RegeneratedAudio)));

        Assert.Equal(first.ToJson(), second.ToJson());
        using var json = JsonDocument.Parse(first.ToJson());
        var root = json.RootElement;
        Assert.Equal("sample_01", root.GetProperty("sampleId").GetString());
        Assert.Equal(6, root.GetProperty("modelCalls").GetInt32());
        Assert.Equal("Passed", root.GetProperty("decisions")[0].GetProperty("verdict").GetString());
        Assert.Equal(["audio", "video", "peak_frame", "au"], root.GetProperty("decisions").EnumerateArray().Select(d => d.GetProperty("modality").GetString()));
        Assert.Equal("refined_prompt_audio_1.txt", root.GetProperty("refinedPrompts")[0].GetProperty("fileName").GetString());
        Assert.Equal(["PlanningPrompt", "Plan", "EvaluationPrompt", "ModelAnswer", "Correction", "ModelAnswer"],
            root.GetProperty("log").EnumerateArray().Take(6).Select(e => e.GetProperty("kind").GetString()));
    }

    [Fact]
    public async Task Refined_prompts_are_written_with_merfactory_file_names()
    {
        var folder = Path.Combine(media.Folder, "out-" + Guid.NewGuid().ToString("N"));
        RefinedPrompt[] prompts = [new(GateModality.Audio, 1, "vague", "Name the cues."), new(GateModality.PeakFrame, 2, "wrong", "Describe the face. Ünïcode ok.")];

        var written = await RefinedPromptFiles.WriteAsync(prompts, folder, Token);

        Assert.Equal([Path.Combine(folder, "refined_prompt_audio_1.txt"), Path.Combine(folder, "refined_prompt_peak_frame_2.txt")], written);
        Assert.Equal("Name the cues.", await File.ReadAllTextAsync(written[0], Token));
        Assert.Equal("Describe the face. Ünïcode ok."u8.ToArray(), await File.ReadAllBytesAsync(written[1], Token));
    }

    [Fact]
    public async Task Options_out_of_range_are_refused_with_the_option_named()
    {
        var error = await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() =>
            RunAsync(GateTestInputs.Full(), new ScriptedGateModel(), new RegenerationRecorder(), new GateOptions { MaxTurns = 0 }));
        Assert.Contains("GateOptions.MaxTurns", error.Message);
    }
}
