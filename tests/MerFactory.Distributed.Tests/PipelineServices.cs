using System.Diagnostics;
using System.Text;
using MerFactory.Llm.Tests.Fakes;
using MerFactory.Testing;

namespace MerFactory.Distributed.Tests;

/// <summary>
/// Every step service a job needs (media-extract, au-service, transcribe, llm-gateway), each its own process on the
/// fixture's broker and bucket, as a deployment runs them. The gateway's only model is a loopback OpenAI-compatible
/// fake; the orchestrator is whatever bus the test starts (<see cref="DistributedFixture.StartClientAsync"/>).
/// </summary>
public sealed class PipelineServices : IDisposable
{
    private readonly DistributedFixture _fixture;
    private readonly Dictionary<string, string> _gatewayConfiguration;
    private readonly string _noWhisperModels = Directory.CreateTempSubdirectory("mf-no-whisper-").FullName;
    private readonly List<(string Name, Process Process, StringBuilder Log, int GrpcPort)> _processes = [];

    private PipelineServices(DistributedFixture fixture, FakeOpenAi model)
    {
        _fixture = fixture;
        _gatewayConfiguration = new Dictionary<string, string>
        {
            ["LlmGateway__Backends__local__Kind"] = "OpenAICompatible",
            ["LlmGateway__Backends__local__BaseUrl"] = new Uri(model.BaseUrl, "v1/").AbsoluteUri,
            ["LlmGateway__Backends__local__ModelCapabilities__gpt-4o"] = "text,image",
            ["LlmGateway__Default__Backend"] = "local",
            ["LlmGateway__Default__Model"] = "gpt-4o",
            // Keys of the developer's shell must not leak into a loopback test.
            ["GOOGLE_API_KEY"] = "",
            ["OPENAI_API_KEY"] = "",
        };
    }

    public static PipelineServices Start(DistributedFixture fixture, FakeOpenAi model)
    {
        var services = new PipelineServices(fixture, model);
        services.Add("media-extract", "MerFactory.MediaExtract.dll", new Dictionary<string, string>());
        services.Add("au-service", "MerFactory.AuService.dll", new Dictionary<string, string>
        {
            ["AuModels__ModelsDirectory"] = SharedData.Data,
            ["AuModels__YuNetModelPath"] = Path.Combine("models", "face_detection_yunet_2026may.onnx"),
        });
        // No Whisper model: "auto" takes the offline engine, as on CI.
        services.Add("transcribe", "MerFactory.Transcribe.dll", new Dictionary<string, string>
        {
            ["Speech__ModelsDirectory"] = services._noWhisperModels,
            ["Speech__Vad__ModelPath"] = SharedData.DataPath("models", "silero_vad.onnx"),
        });
        services.StartLlmGateway();
        return services;
    }

    /// <summary>Starts (or, after <see cref="KillLlmGatewayAsync"/>, restarts) the llm-gateway.</summary>
    public void StartLlmGateway() => Add("llm-gateway", "MerFactory.LlmGateway.dll", _gatewayConfiguration);

    /// <summary>Kills the running llm-gateway process outright, as a crash would, and returns once it is gone.</summary>
    public async Task KillLlmGatewayAsync()
    {
        var gateway = _processes.Last(p => p.Name == "llm-gateway").Process;
        gateway.Kill(entireProcessTree: true);
        await gateway.WaitForExitAsync();
    }

    /// <summary>The gRPC port of the (latest) instance of <paramref name="service"/>.</summary>
    public int GrpcPort(string service) => _processes.Last(p => p.Name == service).GrpcPort;

    /// <summary>
    /// Waits until every service answers its gRPC health check as serving (its bus connected); a service that died on
    /// start fails here, with every service's output, instead of leaving a job to wait for a step no one runs.
    /// </summary>
    public async Task WaitUntilServingAsync()
    {
        foreach (var (name, process, _, port) in _processes)
        {
            try
            {
                await RemoteCliTests.WaitUntilServingAsync($"http://127.0.0.1:{port}");
            }
            catch (Exception e)
            {
                throw new InvalidOperationException($"{name} (exited: {process.HasExited}) is not serving: {e.Message}\n{Logs()}", e);
            }
        }
    }

    /// <summary>Every service's console output, for failure messages.</summary>
    public string Logs()
    {
        var all = new StringBuilder();
        foreach (var (name, _, log, _) in _processes)
        {
            all.AppendLine($"--- {name} ---");
            lock (log) all.Append(log);
        }
        return all.ToString();
    }

    private void Add(string folder, string dll, IReadOnlyDictionary<string, string> environment)
    {
        var process = _fixture.StartService(folder, dll, out var port, out var log, environment);
        _processes.Add((folder, process, log, port));
    }

    public void Dispose()
    {
        foreach (var (_, process, _, _) in _processes)
        {
            if (!process.HasExited) process.Kill(entireProcessTree: true);
            process.Dispose();
        }
        Directory.Delete(_noWhisperModels, recursive: true);
    }
}
