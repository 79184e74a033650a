using System.Diagnostics;
using Grpc.Health.V1;
using Grpc.Net.Client;
using MerFactory.Llm.Tests.Fakes;
using MerFactory.Testing;

namespace MerFactory.Distributed.Tests;

/// <summary>
/// <c>merfactory process --server URL</c> as a user runs it against a deployment: the CLI uploads, the jobs service
/// runs the job over the step services, the CLI watches and downloads the records into OUTPUT.
/// </summary>
public sealed class RemoteCliTests(DistributedFixture fixture) : IClassFixture<DistributedFixture>, IAsyncLifetime, IDisposable
{
    private readonly string _work = Directory.CreateTempSubdirectory("mf-remote-cli-").FullName;
    private readonly FakeOpenAi _model = new() { ApiKey = null, Answer = InstructionFollowingModel.Create() };

    public async Task InitializeAsync() => await _model.StartAsync();

    public async Task DisposeAsync() => await _model.DisposeAsync();

    public void Dispose() => Directory.Delete(_work, recursive: true);

    [Fact]
    public async Task TheCliRunsAJobOnADeploymentAndTheDownloadedRecordsNameTheUsersFiles()
    {
        var input = Path.Combine(_work, "in");
        var output = Path.Combine(_work, "out");
        Directory.CreateDirectory(Path.Combine(input, "talks"));
        File.Copy(SharedData.DataPath("speech", "jfk.wav"), Path.Combine(input, "talks", "jfk.wav"));
        File.Copy(SharedData.DataPath("media", "pyfeat", "single_face.jpg"), Path.Combine(input, "face.jpg"));
        using var services = PipelineServices.Start(fixture, _model);
        using var jobs = fixture.StartService("jobs", "MerFactory.JobApi.dll", DistributedFixture.UserCredentials(), out var port, out var log);
        var server = $"http://127.0.0.1:{port}";
        await WaitUntilServingAsync(server);

        var (exit, text) = await RunCliAsync("process", input, output, "--server", server, "--token", DistributedFixture.AliceToken, "--chatgpt-model", "gpt-4o");

        Assert.True(exit == 0, text + "\n" + services.Logs() + "\n" + log);
        var audio = OutputSchemas.AssertValidFile("audio_analysis", Path.Combine(output, "jfk", "jfk_audio_analysis.json"));
        Assert.Equal(Path.Combine(input, "talks", "jfk.wav"), audio["source_path"]!.GetValue<string>());
        var image = OutputSchemas.AssertValidFile("image_analysis", Path.Combine(output, "face", "face_image_analysis.json"));
        Assert.Equal(Path.Combine(input, "face.jpg"), image["source_path"]!.GetValue<string>());
        Assert.True(File.Exists(Path.Combine(output, "jfk", "jfk_transcript.json")));
        Assert.True(File.Exists(Path.Combine(output, "run_summary.json")));
        // Each file's outputs were published when it finished and fetched while the job went on.
        Assert.Matches(@"jfk: \d+ output\(s\) downloaded", text);
        Assert.Matches(@"face: \d+ output\(s\) downloaded", text);
        Assert.False(Directory.EnumerateFiles(output, "*.partial", SearchOption.AllDirectories).Any());
        // The model flag travelled with the job to the deployment's gateway, mapped as an embedded run maps it:
        // gpt-4o for every step but audio, which MER-Factory pins to gpt-4o-audio-preview (it takes the wav itself).
        Assert.All(_model.Calls, c => Assert.Equal(c.Media.Any(m => m.Via.StartsWith("input_audio", StringComparison.Ordinal)) ? "gpt-4o-audio-preview" : "gpt-4o", c.Model));
        Assert.Contains(_model.Calls, c => c.Model == "gpt-4o-audio-preview");
    }

    [Fact]
    public async Task ARemoteRerunWithCacheSkipsWhatItsDatasetHoldsAndMerReusesItsEarlierAudioResult()
    {
        var input = Path.Combine(_work, "cached-in");
        var output = Path.Combine(_work, "cached-out");
        Directory.CreateDirectory(input);
        File.Copy(SharedData.DataPath("media", "pyfeat", "single_face.mp4"), Path.Combine(input, "clip.mp4"));
        using var services = PipelineServices.Start(fixture, _model);
        using var jobs = fixture.StartService("jobs", "MerFactory.JobApi.dll", DistributedFixture.UserCredentials(), out var port, out var log);
        var server = $"http://127.0.0.1:{port}";
        await WaitUntilServingAsync(server);
        string[] Run(params string[] more) => ["process", input, output, "--server", server, "--token", DistributedFixture.AliceToken, "--chatgpt-model", "gpt-4o", .. more];
        int AudioCalls() => _model.Calls.Count(c => c.Model == "gpt-4o-audio-preview");
        using var store = fixture.CreateStore();

        var (first, firstText) = await RunCliAsync(Run("--type", "audio"));
        Assert.True(first == 0, firstText + "\n" + services.Logs() + "\n" + log);
        OutputSchemas.AssertValidFile("audio_analysis", Path.Combine(output, "clip", "clip_audio_analysis.json"));
        var audioCalls = AudioCalls();
        Assert.True(audioCalls > 0);

        // The same run with --cache: the dataset (this OUTPUT) has the record, so the file is neither uploaded nor run.
        var uploads = await CountAsync(store, "uploads/alice/");
        var calls = _model.Calls.Count;
        var (again, againText) = await RunCliAsync(Run("--type", "audio", "--cache"));
        Assert.True(again == 0, againText + "\n" + log);
        Assert.Contains("Skipped (Cached): 1", againText);
        Assert.DoesNotContain("Uploading clip.mp4", againText);
        Assert.Equal(uploads, await CountAsync(store, "uploads/alice/"));
        Assert.Equal(calls, _model.Calls.Count);

        // MER with --cache on the deployment reuses the audio analysis the dataset holds: the audio model is not asked again.
        var (mer, merText) = await RunCliAsync(Run("--type", "MER", "--cache"));
        Assert.True(mer == 0, merText + "\n" + services.Logs() + "\n" + log);
        var record = OutputSchemas.AssertValidFile("merr_data", Path.Combine(output, "clip", "clip_merr_data.json"));
        Assert.Equal(audioCalls, AudioCalls());
        var earlier = System.Text.Json.Nodes.JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(output, "clip", "clip_audio_analysis.json")))!;
        Assert.Equal(earlier["audio_analysis"]!.GetValue<string>(), record["coarse_descriptions_at_peak"]!["audio_analysis"]!.GetValue<string>());
        var steps = System.Text.Json.Nodes.JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(output, "clip", "clip_steps.json")))!["Steps"]!.AsArray();
        Assert.Contains(steps, s => s!["Step"]!.GetValue<string>() == "llm-audio" && s["Status"]!.GetValue<string>() == "reused");
    }

    [Fact]
    public async Task EmbeddedAndDistributedRunsWriteIdenticalRecords()
    {
        var input = Path.Combine(_work, "same-in");
        Directory.CreateDirectory(input);
        File.Copy(SharedData.DataPath("media", "pyfeat", "single_face.mp4"), Path.Combine(input, "clip.mp4"));
        using var services = PipelineServices.Start(fixture, _model);
        using var jobs = fixture.StartService("jobs", "MerFactory.JobApi.dll", DistributedFixture.UserCredentials(), out var port, out var log);
        var server = $"http://127.0.0.1:{port}";
        await WaitUntilServingAsync(server);
        var embedded = Path.Combine(_work, "same-embedded");
        var distributed = Path.Combine(_work, "same-distributed");

        // AU needs no model: the records are the steps' own results in both modes.
        var (local, localText) = await RunCliAsync("process", input, embedded, "--type", "AU");
        var (remote, remoteText) = await RunCliAsync("process", input, distributed, "--type", "AU", "--server", server, "--token", DistributedFixture.AliceToken);

        Assert.True(local == 0, localText);
        Assert.True(remote == 0, remoteText + "\n" + services.Logs() + "\n" + log);
        foreach (var record in new[] { "clip/clip_au_analysis.json", "clip/clip.csv" })
        {
            var mine = await File.ReadAllTextAsync(Path.Combine(embedded, record));
            Assert.Equal(mine, await File.ReadAllTextAsync(Path.Combine(distributed, record)));
        }
        // The record names the user's input in both modes (the remote job's client-side path, not the server's copy).
        Assert.Contains(Path.Combine(input, "clip.mp4").Replace("\\", "\\\\"), await File.ReadAllTextAsync(Path.Combine(distributed, "clip", "clip_au_analysis.json")));
    }

    private static async Task<int> CountAsync(Storage.IObjectStore store, string prefix)
    {
        var count = 0;
        await foreach (var _ in store.ListAsync(prefix)) count++;
        return count;
    }

    /// <summary>Waits for the service to listen (the call is queued until the channel connects), then for it to be serving.</summary>
    internal static async Task WaitUntilServingAsync(string server)
    {
        using var channel = GrpcChannel.ForAddress(server);
        var health = await new Health.HealthClient(channel).CheckAsync(new HealthCheckRequest(),
            new Grpc.Core.CallOptions(deadline: DateTime.UtcNow.AddMinutes(4)).WithWaitForReady());
        Assert.Equal(HealthCheckResponse.Types.ServingStatus.Serving, health.Status);
    }

    /// <summary>The CLI built in this test run's configuration.</summary>
    internal static string CliDll()
    {
        var configuration = AppContext.BaseDirectory.Contains($"{Path.DirectorySeparatorChar}Release{Path.DirectorySeparatorChar}", StringComparison.Ordinal) ? "Release" : "Debug";
        return Path.Combine(SharedData.RepoRoot, "cli", "MerFactory.Cli", "bin", configuration, "net10.0", "merfactory.dll");
    }

    internal static async Task<(int ExitCode, string Output)> RunCliAsync(params string[] args)
    {
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        psi.ArgumentList.Add(CliDll());
        foreach (var a in args) psi.ArgumentList.Add(a);
        psi.Environment["NO_COLOR"] = "1";
        // The embedded run's models from the shared folder, as the services get them: nothing may depend on what a
        // machine has under ~/.local/share/merfactory/models.
        psi.Environment["AuModels__ModelsDirectory"] = SharedData.Data;
        psi.Environment["AuModels__YuNetModelPath"] = Path.Combine("models", "face_detection_yunet_2026may.onnx");
        psi.Environment["Speech__Vad__ModelPath"] = SharedData.DataPath("models", "silero_vad.onnx");
        using var process = Process.Start(psi)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        // Generous: on a 2-core CI machine this runs beside another test assembly's services.
        try
        {
            await process.WaitForExitAsync().WaitAsync(TimeSpan.FromMinutes(10));
        }
        catch (TimeoutException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"merfactory {string.Join(' ', args)} did not end in 10 minutes; it printed:\n{await stdout}{await stderr}");
        }
        return (process.ExitCode, await stdout + await stderr);
    }
}
