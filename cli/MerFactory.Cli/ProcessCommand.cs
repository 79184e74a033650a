using System.CommandLine;
using System.Globalization;
using MerFactory.Llm.Prompts;
using MerFactory.Llm.Routing;
using MerFactory.JobClient;
using MerFactory.Pipeline.Orchestration;
using MerFactory.Pipeline.Synthesis;

namespace MerFactory.Cli;

/// <summary>
/// <c>merfactory process INPUT OUTPUT [options]</c> with MER-Factory's options, long and short names and defaults (spec §1.2).
/// </summary>
internal static class ProcessCommand
{
    public static readonly Argument<string> Input = new("INPUT_PATH") { Description = "A media file or a folder of them (searched recursively)." };
    public static readonly Argument<string> Output = new("OUTPUT_DIR") { Description = "Folder for the results (created if missing)." };
    public static readonly Option<string> Type = new("--type", "-t") { Description = "Processing type: AU, audio, video, MER or image.", DefaultValueFactory = _ => "MER" };
    public static readonly Option<string> Task = new("--task", "-tk") { Description = "Task: MERR or \"Sentiment Analysis\".", DefaultValueFactory = _ => "MERR" };
    public static readonly Option<string?> PromptsFile = new("--prompts-file", "-pf") { Description = "Prompts JSON (MER-Factory's keys); the built-in prompts when omitted." };
    public static readonly Option<string?> LabelFile = new("--label-file", "-l") { Description = "CSV with 'name' and 'label' columns; names are file stems." };
    public static readonly Option<double> Threshold = new("--threshold", "-th") { Description = "AU peak height and emotion threshold (0.0–5.0).", DefaultValueFactory = _ => 0.8 };
    public static readonly Option<int> PeakDistance = new("--peak_dis", "-pd", "--peak-dis") { Description = "Minimum distance between AU peaks, in frames (≥ 8).", DefaultValueFactory = _ => 15 };
    public static readonly Option<int> Concurrency = new("--concurrency", "-c") { Description = "Files processed at once (≥ 1).", DefaultValueFactory = _ => 4 };
    public static readonly Option<string?> OllamaVisionModel = new("--ollama-vision-model", "-ovm") { Description = "Ollama model for images (and text if no text model)." };
    public static readonly Option<string?> OllamaTextModel = new("--ollama-text-model", "-otm") { Description = "Ollama model for text." };
    public static readonly Option<string?> ChatGptModel = new("--chatgpt-model", "-cgm") { Description = "OpenAI model, e.g. gpt-4o (needs OPENAI_API_KEY)." };
    public static readonly Option<string?> HuggingFaceModel = new("--huggingface-model", "-hfm") { Description = "Local model: a .gguf path or a model id (see `merfactory models pull`); loaded in this process unless --hf-server-url names a running host." };
    public static readonly Option<string?> HfServerUrl = new("--hf-server-url") { Description = "With --huggingface-model: a running model host (hf-server, llama-server, vLLM) instead of loading the model here; also HF_API_BASE_URL." };
    public static readonly Option<bool> Silent = new("--silent", "-s") { Description = "Only progress bars and errors." };
    public static readonly Option<bool> Cache = new("--cache", "-ca") { Description = "Skip files whose final output exists; reuse earlier results." };
    public static readonly Option<bool> UseGateAgent = new("--use-gate-agent", "-uga") { Description = "Quality gate on the LLM descriptions before synthesis." };
    public static readonly Option<double> FrameSampleFps = new("--frame-sample-fps") { Description = "Video frames sampled per second as evidence (0 = every frame).", DefaultValueFactory = _ => 1.0 };

    public static readonly Option<string?> OpenAiBaseUrl = new("--openai-base-url") { Description = "With --chatgpt-model: an OpenAI-compatible server (vLLM, llama.cpp, LM Studio, ...); OPENAI_API_KEY optional." };
    public static readonly Option<string?> ModelCapabilities = new("--model-capabilities") { Description = "What the chosen models accept, e.g. text,image,audio (for OpenAI-compatible servers, whose models cannot be told by name)." };
    public static readonly Option<int?> LlmConcurrency = new("--llm-concurrency") { Description = "LLM requests in flight per backend (default: 3 x --concurrency, as each file has up to three independent LLM steps; hf-server stays at 1)." };
    public static readonly Option<string[]> LlmRoute = new("--llm-route") { Description = "Route one step to a model: step=backend:model, e.g. synthesis=ollama:llama3.2 (repeatable).", AllowMultipleArgumentsPerToken = false };
    public static readonly Option<string> SpeechEngine = new("--speech-engine") { Description = "Transcription engine: auto, whisper or pocketsphinx.", DefaultValueFactory = _ => "auto" };
    public static readonly Option<string?> Language = new("--language") { Description = "Spoken language (ISO 639-1, e.g. en); detected when omitted." };

    public static readonly Option<double> LlmTimeout = new("--llm-timeout") { Description = "Seconds one LLM request may take before it counts as failed (then retried within --llm-attempts).", DefaultValueFactory = _ => 120 };
    public static readonly Option<int> LlmAttempts = new("--llm-attempts") { Description = "Attempts per LLM step, 1 = no retry; all attempts of a step end within 4.5 minutes.", DefaultValueFactory = _ => 3 };
    public static readonly Option<bool> EvidenceOnly = new("--evidence-only") { Description = "Run without any LLM: AU, transcripts and frames only, no dataset records for types that need a model." };
    public static readonly Option<bool> Evaluate = new("--evaluate") { Description = "Evaluate each record as it is written ({id}_eval.json), then the dataset (evaluation.json/.csv/.html), as `merfactory evaluate` does." };
    public static readonly Option<string?> Landmarks = new("--landmarks") { Description = "Facial landmarks for AUs: clnf (OpenFace's own fit, default) or dlib (faster, less faithful)." };

    public static readonly Option<string?> Server = new("--server") { Description = "URL of a distributed deployment's job API (the jobs service); runs the job there instead of in this process. Plain http only on loopback; https elsewhere." };
    public static readonly Option<string?> Attach = new("--attach") { Description = "With --server: watch job JOB (submitted earlier, e.g. before the connection or the service went away) and download its outputs, instead of submitting." };
    public static readonly Option<string?> Token = new("--token") { Description = "With --server: the API token (the AppHost's api-token parameter); default $MERFACTORY_TOKEN." };

    public static Command Create()
    {
        var command = new Command("process", "Processes media files for Multimodal Emotion Recognition and Reasoning (MERR).")
        {
            Input, Output, Type, Task, PromptsFile, LabelFile, Threshold, PeakDistance, Concurrency,
            OllamaVisionModel, OllamaTextModel, ChatGptModel, HuggingFaceModel, Silent, Cache, UseGateAgent, FrameSampleFps,
            OpenAiBaseUrl, ModelCapabilities, LlmConcurrency, LlmRoute, SpeechEngine, Language, LlmTimeout, LlmAttempts, EvidenceOnly, Landmarks, Server, Token, Attach, HfServerUrl, Evaluate,
        };
        LlmTimeout.Validators.Add(r => { var v = r.GetValueOrDefault<double>(); if (!(v > 0)) r.AddError("--llm-timeout must be more than 0 seconds."); });
        LlmAttempts.Validators.Add(r => { if (r.GetValueOrDefault<int>() < 1) r.AddError("--llm-attempts must be at least 1."); });
        Type.Validators.Add(r => { if (ParseType(r.GetValueOrDefault<string>()) is null) r.AddError($"Invalid --type '{r.GetValueOrDefault<string>()}': expected AU, audio, video, MER or image."); });
        Task.Validators.Add(r => { if (ParseTask(r.GetValueOrDefault<string>()) is null) r.AddError($"Invalid --task '{r.GetValueOrDefault<string>()}': expected MERR or \"Sentiment Analysis\"."); });
        Threshold.Validators.Add(r => { var v = r.GetValueOrDefault<double>(); if (v is < 0 or > 5 || double.IsNaN(v)) r.AddError($"--threshold must be between 0.0 and 5.0 (got {v.ToString(CultureInfo.InvariantCulture)})."); });
        PeakDistance.Validators.Add(r => { var v = r.GetValueOrDefault<int>(); if (v < 8) r.AddError($"--peak_dis must be at least 8 (got {v})."); });
        Concurrency.Validators.Add(r => { var v = r.GetValueOrDefault<int>(); if (v < 1) r.AddError($"--concurrency must be at least 1 (got {v})."); });
        FrameSampleFps.Validators.Add(r => { var v = r.GetValueOrDefault<double>(); if (v < 0) r.AddError("--frame-sample-fps must be 0 or more."); });
        foreach (var option in new[] { PromptsFile, LabelFile })
        {
            option.Validators.Add(r => { var path = r.GetValueOrDefault<string?>(); if (path is not null && !File.Exists(path)) r.AddError($"{option.Name}: file '{path}' does not exist."); });
        }
        Input.Validators.Add(r => { var path = r.GetValueOrDefault<string>(); if (!File.Exists(path) && !Directory.Exists(path)) r.AddError($"INPUT_PATH '{path}' does not exist."); });
        Server.Validators.Add(r => { var url = r.GetValueOrDefault<string?>(); if (url is not null && !Uri.TryCreate(url, UriKind.Absolute, out _)) r.AddError($"--server '{url}' is not an absolute URL."); });
        SpeechEngine.Validators.Add(r => { var v = r.GetValueOrDefault<string>(); if (v?.ToLowerInvariant() is not ("auto" or "whisper" or "pocketsphinx" or "offline")) r.AddError($"Invalid --speech-engine '{v}': expected auto, whisper or pocketsphinx."); });
        Landmarks.Validators.Add(r => { var v = r.GetValueOrDefault<string?>(); if (v is not null && v.ToLowerInvariant() is not ("clnf" or "dlib")) r.AddError($"Invalid --landmarks '{v}': expected clnf or dlib."); });
        LlmConcurrency.Validators.Add(r => { if (r.GetValueOrDefault<int?>() is < 1) r.AddError("--llm-concurrency must be at least 1."); });
        ModelCapabilities.Validators.Add(r =>
        {
            try { Llm.Routing.ModelCapabilities.Parse(r.GetValueOrDefault<string?>() ?? ""); }
            catch (FormatException e) { r.AddError("--model-capabilities: " + e.Message); }
        });
        LlmRoute.Validators.Add(r =>
        {
            foreach (var spec in r.GetValueOrDefault<string[]>() ?? [])
            {
                try { LlmRouting.ParseStepRoute(spec); }
                catch (FormatException e) { r.AddError(e.Message); }
            }
        });
        command.SetAction(async (parse, ct) =>
        {
            JobOptions options;
            try
            {
                options = ToOptions(parse);
            }
            catch (Exception e) when (e is LabelFileException or PromptFormatException)
            {
                Spectre.Console.AnsiConsole.MarkupLineInterpolated($"[red]{e.Message}[/]");
                return CliExitCodes.Failure;
            }
            var flags = LlmFlags(parse);
            var evaluate = parse.GetValue(Evaluate);
            int exitCode;
            if (parse.GetValue(Server) is not { } server)
                exitCode = await EmbeddedRun.RunAsync(options, flags, parse.GetValue(Input)!, parse.GetValue(Output)!, parse.GetValue(EvidenceOnly), ct, evaluate,
                    new EmbeddedEngineChoices(LandmarkChoice(parse)));
            else if ((parse.GetValue(Token) ?? Environment.GetEnvironmentVariable("MERFACTORY_TOKEN")) is not { Length: > 0 } token)
            {
                Spectre.Console.AnsiConsole.MarkupLine("[red]--server needs the deployment's API token: --token TOKEN or MERFACTORY_TOKEN.[/]");
                return CliExitCodes.Usage;
            }
            else
            {
                if (LandmarkChoice(parse) is not null)
                    Spectre.Console.AnsiConsole.MarkupLine("[yellow]--landmarks applies to embedded runs; the deployment uses its own AuEngine:Landmarks.[/]");
                exitCode = await RemoteRun.RunAsync(options with { LlmRoutes = RemoteRoutes.FromFlags(flags) }, parse.GetValue(Input)!, parse.GetValue(Output)!, server, token, parse.GetValue(Attach), ct);
            }
            // The dataset files (and, for a remote run, the sidecars of the downloaded records) once every record is in.
            if (evaluate && Directory.Exists(parse.GetValue(Output)))
                await EvaluateCommand.EvaluateAfterRunAsync(parse.GetValue(Output)!, options.Labels, Console.Out, ct);
            return exitCode;
        });
        return command;
    }

    /// <summary>The <c>--landmarks</c> choice; null leaves it to the configuration (<c>AuEngine:Landmarks</c>, default CLNF).</summary>
    public static AuEngine.Pipeline.LandmarkMethod? LandmarkChoice(ParseResult parse) =>
        parse.GetValue(Landmarks) is { } value ? Enum.Parse<AuEngine.Pipeline.LandmarkMethod>(value, ignoreCase: true) : null;

    public static LlmCliFlags LlmFlags(ParseResult parse) => new()
    {
        ChatGptModel = parse.GetValue(ChatGptModel),
        OllamaVisionModel = parse.GetValue(OllamaVisionModel),
        OllamaTextModel = parse.GetValue(OllamaTextModel),
        HuggingFaceModel = parse.GetValue(HuggingFaceModel),
        HuggingFaceServerUrl = parse.GetValue(HfServerUrl),
        OpenAiBaseUrl = parse.GetValue(OpenAiBaseUrl),
        StepRoutes = parse.GetValue(LlmRoute) ?? [],
        ModelCapabilities = parse.GetValue(ModelCapabilities),
        MaxConcurrency = parse.GetValue(LlmConcurrency) ?? 3 * parse.GetValue(Concurrency),
        AttemptTimeout = TimeSpan.FromSeconds(parse.GetValue(LlmTimeout)),
        MaxAttempts = parse.GetValue(LlmAttempts),
    };

    public static JobOptions ToOptions(ParseResult parse) => new()
    {
        Type = ParseType(parse.GetValue(Type))!.Value,
        Task = ParseTask(parse.GetValue(Task))!.Value,
        PromptsFile = parse.GetValue(PromptsFile),
        LabelFile = parse.GetValue(ProcessCommand.LabelFile),
        Threshold = parse.GetValue(Threshold),
        PeakDistance = parse.GetValue(PeakDistance),
        Concurrency = parse.GetValue(Concurrency),
        OllamaVisionModel = parse.GetValue(OllamaVisionModel),
        OllamaTextModel = parse.GetValue(OllamaTextModel),
        ChatGptModel = parse.GetValue(ChatGptModel),
        HuggingFaceModel = parse.GetValue(HuggingFaceModel),
        Silent = parse.GetValue(Silent),
        Cache = parse.GetValue(Cache),
        UseGateAgent = parse.GetValue(UseGateAgent),
        FrameSampleFps = parse.GetValue(FrameSampleFps),
        SpeechEngine = parse.GetValue(SpeechEngine)!.ToLowerInvariant(),
        Language = parse.GetValue(Language),
        // Read here so that a remote job carries them and a bad file fails before any work starts.
        Labels = parse.GetValue(ProcessCommand.LabelFile) is { } labels ? Pipeline.Synthesis.LabelFile.Read(labels) : null,
        PromptsJson = parse.GetValue(PromptsFile) is { } prompts ? ValidatedPrompts(prompts) : null,
    };

    private static string ValidatedPrompts(string path)
    {
        var json = File.ReadAllText(path);
        using var stream = new MemoryStream(System.Text.Encoding.UTF8.GetBytes(json));
        PromptCatalog.Parse(stream, path);
        return json;
    }

    public static ProcessingType? ParseType(string? value) => RunRequestOptions.ParseType(value);

    public static TaskKind? ParseTask(string? value) => RunRequestOptions.ParseTask(value);
}
