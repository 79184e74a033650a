using System.Net.Http.Json;
using MerFactory.Cli;
using MerFactory.Dashboard.Runs;
using MerFactory.Llm.Routing;
using MerFactory.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;

namespace MerFactory.Dashboard.Tests;

/// <summary>
/// The dashboard as <c>merfactory dashboard</c> hosts it (same library, same run launcher), on a free loopback port,
/// over a generated dataset. Can be stopped and started again on the same folder to show what survives a restart.
/// </summary>
public sealed class DashboardServer : IAsyncDisposable
{
    private WebApplication? _app;

    public DashboardServer(string outputDir, LlmCliFlags? flags = null, string? inputRoot = null, string host = "127.0.0.1", string? token = null,
        IReadOnlyDictionary<string, string>? compare = null)
    {
        Compare = compare ?? new Dictionary<string, string>();
        OutputDir = outputDir;
        Flags = flags ?? new LlmCliFlags();
        InputRoot = inputRoot;
        Host = host;
        Token = token;
    }

    public string OutputDir { get; }
    public LlmCliFlags Flags { get; }
    public string? InputRoot { get; }
    /// <summary>Other outputs of the same clips, by name (<c>--compare NAME=DIR</c>).</summary>
    public IReadOnlyDictionary<string, string> Compare { get; }
    public string Host { get; }
    public string? Token { get; private set; }
    public Uri Address { get; private set; } = null!;
    public HttpClient Http { get; private set; } = null!;

    public async Task<DashboardServer> StartAsync()
    {
        // What `merfactory models install --from ../shared/data` would configure, for runs started from the form.
        Environment.SetEnvironmentVariable("AuModels__ModelsDirectory", SharedData.Data);
        Environment.SetEnvironmentVariable("AuModels__YuNetModelPath", Path.Combine("models", "face_detection_yunet_2026may.onnx"));
        Environment.SetEnvironmentVariable("Speech__Vad__ModelPath", SharedData.DataPath("models", "silero_vad.onnx"));
        var options = new DashboardOptions { OutputDir = OutputDir, Host = Host, Port = 0, Token = Token, InputRoot = InputRoot, DefaultAuthor = "tester",
            Compare = new Dictionary<string, string>(Compare, StringComparer.Ordinal) };
        _app = DashboardHost.Build(options, LlmRouting.FromCliFlags(Flags, _ => null),
            services => services.AddSingleton<IRunLauncher>(new DashboardRunLauncher(Flags, OutputDir)));
        await _app.StartAsync();
        Token = options.Token;
        var address = DashboardHost.Address(_app);
        Address = new UriBuilder(address) { Host = "127.0.0.1" }.Uri;
        Http = new HttpClient { BaseAddress = Address };
        return this;
    }

    public async Task RestartAsync()
    {
        await StopAsync();
        await StartAsync();
    }

    public async Task StopAsync()
    {
        Http?.Dispose();
        if (_app is null) return;
        await _app.StopAsync();
        await _app.DisposeAsync();
        _app = null;
    }

    public async Task<T> GetAsync<T>(string path) => (await Http.GetFromJsonAsync<T>(path, Json.Options))!;

    public async ValueTask DisposeAsync() => await StopAsync();
}

internal static class Json
{
    public static readonly System.Text.Json.JsonSerializerOptions Options = new(System.Text.Json.JsonSerializerDefaults.Web)
    {
        PropertyNamingPolicy = System.Text.Json.JsonNamingPolicy.SnakeCaseLower,
    };
}
