namespace MerFactory.Llm.Routing;

/// <summary>MER-Factory's model flags plus MerFactory's additions (OpenAI-compatible base URL, per-step routes).</summary>
public sealed record LlmCliFlags
{
    /// <summary><c>--chatgpt-model</c> / <c>-cgm</c>.</summary>
    public string? ChatGptModel { get; init; }
    /// <summary><c>--ollama-vision-model</c> / <c>-ovm</c>.</summary>
    public string? OllamaVisionModel { get; init; }
    /// <summary><c>--ollama-text-model</c> / <c>-otm</c>.</summary>
    public string? OllamaTextModel { get; init; }
    /// <summary><c>--huggingface-model</c> / <c>-hfm</c> (served by hf-server).</summary>
    public string? HuggingFaceModel { get; init; }
    /// <summary><c>--hf-server-url</c> (or HF_API_BASE_URL): a running model host; without it the CLI hosts the model itself.</summary>
    public string? HuggingFaceServerUrl { get; init; }
    /// <summary>Bearer key of the model host (the embedded host's random key, or HF_API_KEY).</summary>
    public string? HuggingFaceApiKey { get; init; }
    /// <summary><c>--openai-base-url</c>: with <see cref="ChatGptModel"/>, talk to an OpenAI-compatible server (key optional).</summary>
    public string? OpenAiBaseUrl { get; init; }
    /// <summary><c>--model-capabilities</c>: what the flag-selected models take ("text,image,audio"), for servers whose models cannot be told by name.</summary>
    public string? ModelCapabilities { get; init; }
    /// <summary><c>--llm-concurrency</c>: requests in flight per backend chosen by the flags (hf-server keeps 1: local GPU models must not overlap).</summary>
    public int? MaxConcurrency { get; init; }
    /// <summary><c>--llm-timeout</c>: per-attempt time-out of every backend chosen here.</summary>
    public TimeSpan? AttemptTimeout { get; init; }
    /// <summary><c>--llm-attempts</c>: attempts per step (1 = no retry) on every backend chosen here.</summary>
    public int? MaxAttempts { get; init; }
    /// <summary><c>--llm-route step=backend:model</c>, e.g. <c>synthesis=ollama:llama3.2</c>; applied last.</summary>
    public IReadOnlyList<string> StepRoutes { get; init; } = [];
}

/// <summary>Builds <see cref="LlmRoutingOptions"/> from CLI flags and environment, with MER-Factory's precedence (spec §6.2).</summary>
public static class LlmRouting
{
    public const string GeminiDefaultModel = "gemini-2.5-flash";
    public const string OpenAiVisionFallbackModel = "gpt-4o";
    public const string OpenAiAudioModel = "gpt-4o-audio-preview";

    /// <summary>
    /// Precedence: explicit per-step routes &gt; MER-Factory model flags (first match wins: ChatGPT when
    /// <c>--chatgpt-model</c> and OPENAI_API_KEY [or <c>--openai-base-url</c>]; Hugging Face; Ollama; Gemini when
    /// GOOGLE_API_KEY and neither <c>--chatgpt-model</c> nor <c>--ollama-text-model</c>) &gt; <paramref name="configured"/>
    /// routes &gt; Gemini-by-key default. Gemini by key only applies when nothing else chose a route. Returns options
    /// with no routes when no LLM is configured; that is valid (LLM steps then report skipped).
    /// </summary>
    public static LlmRoutingOptions FromCliFlags(LlmCliFlags flags, Func<string, string?>? environment = null, LlmRoutingOptions? configured = null)
    {
        environment ??= Environment.GetEnvironmentVariable;
        var options = Clone(configured);
        var notes = new List<string>();
        var openAiKey = NonEmpty(environment("OPENAI_API_KEY"));
        var googleKey = NonEmpty(environment("GOOGLE_API_KEY"));
        var choice = FlagRoutes.Choose(flags, openAiKey is not null, options.Backends.GetValueOrDefault("openai"), notes);
        if (choice is not null)
        {
            var backend = EnsureBackend(options, choice.Backend, choice.Kind, environment);
            switch (choice.Kind)
            {
                case LlmBackendKind.OpenAICompatible:
                    backend.BaseUrl = new Uri(flags.OpenAiBaseUrl!.Trim(), UriKind.Absolute);
                    backend.ApiKey ??= openAiKey;
                    break;
                case LlmBackendKind.HfServer:
                    if (NonEmpty(flags.HuggingFaceServerUrl) is { } hostUrl) backend.BaseUrl = new Uri(hostUrl, UriKind.Absolute);
                    if (NonEmpty(flags.HuggingFaceApiKey) is { } hostKey) backend.ApiKey = hostKey;
                    // Local GPU models must not run concurrently (spec §1.9).
                    backend.MaxConcurrency = 1;
                    break;
            }
            options.Default = LlmStepRoute.To(choice.Backend, choice.DefaultModel);
            foreach (var (step, model) in choice.Models) options.Steps[step] = LlmStepRoute.To(choice.Backend, model);
            notes.Add(choice.Kind == LlmBackendKind.HfServer ? $"{choice.Note} {backend.BaseUrl}" : choice.Note);
        }
        else if (options.Default is null && options.Steps.Count == 0 && googleKey is not null && NonEmpty(flags.OllamaTextModel) is null && NonEmpty(flags.ChatGptModel) is null)
        {
            EnsureBackend(options, "gemini", LlmBackendKind.Gemini, environment);
            SetAll(options, "gemini", GeminiDefaultModel);
            notes.Add($"Gemini {GeminiDefaultModel} (GOOGLE_API_KEY set, no other model flag)");
        }

        foreach (var spec in flags.StepRoutes)
        {
            var (step, backendName, model) = ParseStepRoute(spec);
            if (!options.Backends.ContainsKey(backendName))
            {
                if (!TryParseKind(backendName, out var kind))
                    throw new ArgumentException($"--llm-route '{spec}': backend '{backendName}' is neither configured nor a known kind (gemini, openai, openai-compatible, ollama, hf).");
                EnsureBackend(options, backendName, kind, environment);
            }
            options.Steps[step] = LlmStepRoute.To(backendName, model);
            notes.Add($"{step.ToKebab()} → {backendName}:{model}");
        }

        foreach (var (name, backend) in options.Backends)
        {
            if (backend.Kind is LlmBackendKind.Gemini or LlmBackendKind.OpenAI && string.IsNullOrEmpty(backend.ApiKey) && IsRouted(options, name))
                throw new ArgumentException($"Backend '{name}' ({backend.Kind}) needs an API key: set {(backend.Kind == LlmBackendKind.Gemini ? "GOOGLE_API_KEY" : "OPENAI_API_KEY")} or LlmGateway:Backends:{name}:ApiKey.");
        }

        if (flags.MaxConcurrency is { } concurrency)
        {
            foreach (var backend in options.Backends.Values.Where(b => b.Kind != LlmBackendKind.HfServer))
                backend.MaxConcurrency = Math.Max(1, concurrency);
        }

        foreach (var backend in options.Backends.Values)
        {
            if (flags.AttemptTimeout is { } timeout) backend.AttemptTimeout = timeout;
            if (flags.MaxAttempts is { } attempts) backend.MaxRetries = Math.Max(0, attempts - 1);
        }

        if (NonEmpty(flags.ModelCapabilities) is { } declared)
        {
            Routing.ModelCapabilities.Parse(declared);
            foreach (var route in options.Steps.Values.Append(options.Default).OfType<LlmStepRoute>())
                options.Backends[route.Backend].ModelCapabilities[route.Model] = declared;
            notes.Add($"models take {declared}");
        }

        options.Description = notes.Count == 0
            ? (options.Default is null && options.Steps.Count == 0 ? "no LLM configured" : "routes from configuration")
            : string.Join("; ", notes);
        return options;
    }

    /// <summary>Parses <c>step=backend:model</c>; the model may itself contain ':' (e.g. <c>llava:13b</c>).</summary>
    public static (LlmStep Step, string Backend, string Model) ParseStepRoute(string spec)
    {
        var eq = spec.IndexOf('=', StringComparison.Ordinal);
        var colon = eq < 0 ? -1 : spec.IndexOf(':', eq + 1);
        if (eq <= 0 || colon < 0 || colon == spec.Length - 1 || colon == eq + 1)
            throw new FormatException($"--llm-route '{spec}': expected step=backend:model, e.g. synthesis=ollama:llama3.2.");
        var stepText = spec[..eq].Trim();
        if (!LlmStepExtensions.TryParseStep(stepText, out var step))
            throw new FormatException($"--llm-route '{spec}': unknown step '{stepText}' (audio, video, image, facial-expression, synthesis, gate).");
        return (step, spec[(eq + 1)..colon].Trim(), spec[(colon + 1)..].Trim());
    }

    private static bool IsRouted(LlmRoutingOptions options, string backend) =>
        string.Equals(options.Default?.Backend, backend, StringComparison.OrdinalIgnoreCase)
        || options.Steps.Values.Any(r => string.Equals(r.Backend, backend, StringComparison.OrdinalIgnoreCase));

    /// <summary>
    /// The backend's kind: as configured, or — when configuration set only e.g. its BaseUrl — the kind its name says.
    /// Throws when neither tells.
    /// </summary>
    public static LlmBackendKind KindOf(string name, LlmBackendOptions backend)
    {
        if (backend.Kind != LlmBackendKind.Unspecified) return backend.Kind;
        if (TryParseKind(name, out var kind)) return kind;
        throw new ArgumentException($"LLM backend '{name}' has no Kind: set LlmGateway:Backends:{name}:Kind to Gemini, OpenAI, OpenAICompatible, Ollama or HfServer.");
    }

    private static bool TryParseKind(string name, out LlmBackendKind kind)
    {
        switch (name.ToLowerInvariant())
        {
            case "gemini": kind = LlmBackendKind.Gemini; return true;
            case "openai" or "chatgpt": kind = LlmBackendKind.OpenAI; return true;
            case "openai-compatible": kind = LlmBackendKind.OpenAICompatible; return true;
            case "ollama": kind = LlmBackendKind.Ollama; return true;
            case "hf" or "huggingface" or "hf-server": kind = LlmBackendKind.HfServer; return true;
            default: kind = default; return false;
        }
    }

    private static LlmBackendOptions EnsureBackend(LlmRoutingOptions options, string name, LlmBackendKind kind, Func<string, string?> environment)
    {
        if (!options.Backends.TryGetValue(name, out var backend))
        {
            backend = new LlmBackendOptions { Kind = kind };
            options.Backends[name] = backend;
        }
        if (backend.Kind == LlmBackendKind.Unspecified) backend.Kind = kind;
        switch (kind)
        {
            case LlmBackendKind.Gemini: backend.ApiKey ??= NonEmpty(environment("GOOGLE_API_KEY")); break;
            case LlmBackendKind.OpenAI: backend.ApiKey ??= NonEmpty(environment("OPENAI_API_KEY")); break;
            case LlmBackendKind.HfServer:
                backend.BaseUrl ??= new Uri(NonEmpty(environment("HF_API_BASE_URL")) ?? "http://localhost:7860/");
                backend.ApiKey ??= NonEmpty(environment("HF_API_KEY"));
                break;
            case LlmBackendKind.Ollama: backend.BaseUrl ??= OllamaUri(NonEmpty(environment("OLLAMA_HOST"))); break;
        }
        return backend;
    }

    private static Uri OllamaUri(string? host) => host is null ? new Uri("http://localhost:11434/")
        : new Uri(host.Contains("://", StringComparison.Ordinal) ? host : "http://" + host);

    private static void SetAll(LlmRoutingOptions options, string backend, string model)
    {
        options.Default = LlmStepRoute.To(backend, model);
        foreach (var step in Enum.GetValues<LlmStep>()) options.Steps[step] = LlmStepRoute.To(backend, model);
    }

    private static LlmRoutingOptions Clone(LlmRoutingOptions? source)
    {
        var clone = new LlmRoutingOptions();
        if (source is null) return clone;
        foreach (var (name, b) in source.Backends)
        {
            clone.Backends[name] = new LlmBackendOptions
            {
                Kind = b.Kind == LlmBackendKind.Unspecified && TryParseKind(name, out var named) ? named : b.Kind, BaseUrl = b.BaseUrl, ApiKey = b.ApiKey, MaxConcurrency = b.MaxConcurrency, RequestsPerMinute = b.RequestsPerMinute,
                RateLimitWindow = b.RateLimitWindow, RateLimitMargin = b.RateLimitMargin, AttemptTimeout = b.AttemptTimeout, StepTimeout = b.StepTimeout, MaxRetryAfter = b.MaxRetryAfter, MaxRetries = b.MaxRetries,
                RetryBaseDelay = b.RetryBaseDelay, MaxRetryDelay = b.MaxRetryDelay, CircuitFailureRatio = b.CircuitFailureRatio,
                CircuitMinimumThroughput = b.CircuitMinimumThroughput, CircuitSamplingDuration = b.CircuitSamplingDuration,
                CircuitBreakDuration = b.CircuitBreakDuration, InlineRequestLimitBytes = b.InlineRequestLimitBytes,
                FileProcessingPollInterval = b.FileProcessingPollInterval,
                ModelCapabilities = new Dictionary<string, string>(b.ModelCapabilities, StringComparer.OrdinalIgnoreCase),
            };
        }
        clone.Answers = source.Answers;
        foreach (var (step, r) in source.Steps) clone.Steps[step] = CloneRoute(r);
        clone.Default = source.Default is null ? null : CloneRoute(source.Default);
        return clone;
    }

    private static LlmStepRoute CloneRoute(LlmStepRoute r) => new()
    {
        Backend = r.Backend, Model = r.Model, Temperature = r.Temperature, MaxOutputTokens = r.MaxOutputTokens, TopP = r.TopP, Seed = r.Seed,
    };

    private static string? NonEmpty(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();
}
