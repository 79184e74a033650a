namespace MerFactory.ModelHost;

/// <summary>The model host's settings, bound from configuration section <see cref="SectionName"/>.</summary>
public sealed class ModelHostOptions
{
    public const string SectionName = "ModelHost";

    /// <summary>Folder holding GGUF models (and their mmproj files) and Whisper ggml models; requests name models by file or catalogue id.</summary>
    public string ModelsDirectory { get; set; } = DefaultModelsDirectory;

    /// <summary>Model loaded at start; <c>/health</c> answers 503 until it is loaded. An id, a catalogue id or a .gguf path.</summary>
    public string? DefaultModel { get; set; }

    /// <summary>Models known by id besides those in <see cref="ModelsDirectory"/> (e.g. the CLI's <c>--huggingface-model PATH</c>).</summary>
    public List<ModelDefinition> Models { get; set; } = [];

    /// <summary>Requests generating at once (llama-server's <c>--parallel</c>); 1 on CPU, as MER-Factory runs HF models one at a time.</summary>
    public int Slots { get; set; } = 1;

    /// <summary>Requests waiting for a slot before the host answers 429.</summary>
    public int QueueLimit { get; set; } = 16;

    /// <summary>Retry-After sent with 429.</summary>
    public int RetryAfterSeconds { get; set; } = 2;

    /// <summary>Models kept loaded at once; the least recently used idle one is unloaded first.</summary>
    public int MaxLoadedModels { get; set; } = 1;

    /// <summary>A loaded model unused for this long is unloaded (the default model included; it reloads on demand).</summary>
    public TimeSpan IdleTimeout { get; set; } = TimeSpan.FromMinutes(30);

    /// <summary>Context window per request (tokens).</summary>
    public uint ContextSize { get; set; } = 4096;

    /// <summary>CPU threads per generating slot (0: cores divided by slots).</summary>
    public int Threads { get; set; }

    /// <summary>Completion tokens when a request gives no max_tokens.</summary>
    public int DefaultMaxTokens { get; set; } = 512;

    /// <summary>Bearer key every /v1 request must carry; null disables authentication (loopback-only hosts).</summary>
    public string? ApiKey { get; set; }

    /// <summary>Largest request body (media travel inline, base64).</summary>
    public long MaxRequestBytes { get; set; } = 256L * 1024 * 1024;

    public static string DefaultModelsDirectory =>
        Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".merfactory", "models", "gguf");
}

/// <summary>A model the host serves: its id in requests, its GGUF (or Whisper ggml) file and optional multimodal projector.</summary>
public sealed class ModelDefinition
{
    public string Id { get; set; } = "";
    public string Path { get; set; } = "";
    public string? MmprojPath { get; set; }
}
