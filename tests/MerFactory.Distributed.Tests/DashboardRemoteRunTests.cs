using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using MerFactory.Llm.Tests.Fakes;
using MerFactory.Testing;

namespace MerFactory.Distributed.Tests;

/// <summary>
/// The dashboard's run builder in distributed mode: <c>merfactory dashboard OUT --server URL</c> runs the form's job on
/// the deployment's job API (inputs uploaded, records downloaded into OUT), shows its progress and indexes the records.
/// </summary>
public sealed class DashboardRemoteRunTests(DistributedFixture fixture) : IClassFixture<DistributedFixture>, IAsyncLifetime, IDisposable
{
    private readonly string _work = Directory.CreateTempSubdirectory("mf-dash-remote-").FullName;
    private readonly FakeOpenAi _model = new() { ApiKey = null, Answer = InstructionFollowingModel.Create() };

    public async Task InitializeAsync() => await _model.StartAsync();

    public async Task DisposeAsync() => await _model.DisposeAsync();

    public void Dispose() => Directory.Delete(_work, recursive: true);

    [Fact]
    public async Task ARunStartedFromTheFormRunsOnTheJobApiAndItsRecordsAreIndexed()
    {
        var input = Directory.CreateDirectory(Path.Combine(_work, "in", "faces")).FullName;
        var output = Directory.CreateDirectory(Path.Combine(_work, "out")).FullName;
        File.Copy(SharedData.DataPath("media", "pyfeat", "single_face.jpg"), Path.Combine(input, "portrait.jpg"));
        using var services = PipelineServices.Start(fixture, _model);
        using var jobs = fixture.StartService("jobs", "MerFactory.JobApi.dll", DistributedFixture.UserCredentials(), out var port, out var log);
        var server = $"http://127.0.0.1:{port}";
        await RemoteCliTests.WaitUntilServingAsync(server);

        using var dashboard = await DashboardProcess.StartAsync("dashboard", output, "--port", "0", "--input-root", Path.Combine(_work, "in"),
            "--server", server, "--server-token", DistributedFixture.AliceToken, "--chatgpt-model", "gpt-4o");
        using var http = new HttpClient { BaseAddress = dashboard.Address };
        Assert.Equal("distributed", (await http.GetFromJsonAsync<JsonObject>("/api/runs/mode"))!["mode"]!.GetValue<string>());

        var af = (await http.GetFromJsonAsync<JsonObject>("/api/antiforgery"))!;
        var form = new Dictionary<string, string> { ["input"] = "faces", ["type"] = "image", ["concurrency"] = "1", [af["field"]!.GetValue<string>()] = af["token"]!.GetValue<string>() };
        var started = await http.PostAsync("/api/runs", new FormUrlEncodedContent(form));
        Assert.True(started.StatusCode == HttpStatusCode.Accepted, await started.Content.ReadAsStringAsync());
        var runUrl = started.Headers.Location!.ToString();

        // Progress is polled as the page polls it, until the run leaves "running" (or the test's deadline).
        var deadline = Stopwatch.StartNew();
        JsonObject status;
        while ((status = (await http.GetFromJsonAsync<JsonObject>(runUrl))!)["state"]!.GetValue<string>() == "running" && deadline.Elapsed < TimeSpan.FromMinutes(5))
            await Task.Delay(250);
        var text = status.ToJsonString();
        Assert.True(status["state"]!.GetValue<string>() == "completed", text + "\n" + dashboard.Output + "\n" + services.Logs() + "\n" + log);
        Assert.Equal((1, 1, 0), (status["files"]!.GetValue<int>(), status["files_done"]!.GetValue<int>(), status["files_failed"]!.GetValue<int>()));
        Assert.Contains(status["log"]!.AsArray(), line => line!.GetValue<string>() == "portrait: succeeded");
        Assert.True(status["steps_done"]!.GetValue<int>() > 0, text);

        // The job's record was downloaded into OUT (naming the user's file) and indexed.
        var record = JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(output, "portrait", "portrait_image_analysis.json")))!;
        Assert.Equal(Path.Combine(input, "portrait.jpg"), record["source_path"]!.GetValue<string>());
        var list = (await http.GetFromJsonAsync<JsonObject>("/api/records?q=portrait"))!;
        Assert.Equal("portrait", list["items"]![0]!["id"]!.GetValue<string>());
        Assert.All(_model.Calls, c => Assert.Equal("gpt-4o", c.Model));
    }

    /// <summary><c>merfactory dashboard</c> as its own process, at the address it prints.</summary>
    private sealed class DashboardProcess(Process process, Uri address, Task<string> rest) : IDisposable
    {
        public Uri Address => address;

        public string Output => rest.IsCompleted ? rest.Result : "(still running)";

        public static async Task<DashboardProcess> StartAsync(params string[] args)
        {
            var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
            psi.ArgumentList.Add(RemoteCliTests.CliDll());
            foreach (var a in args) psi.ArgumentList.Add(a);
            psi.Environment["NO_COLOR"] = "1";
            var process = Process.Start(psi)!;
            var errors = process.StandardError.ReadToEndAsync();
            using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
            while (await process.StandardOutput.ReadLineAsync(timeout.Token) is { } line)
            {
                if (line.StartsWith("Open ", StringComparison.Ordinal))
                    return new DashboardProcess(process, new Uri(line["Open ".Length..].Trim()), process.StandardOutput.ReadToEndAsync());
            }
            throw new InvalidOperationException("merfactory dashboard did not start: " + await errors);
        }

        public void Dispose()
        {
            if (!process.HasExited) process.Kill(entireProcessTree: true);
            process.WaitForExit();
            process.Dispose();
        }
    }
}
