using System.Diagnostics;
using System.Net;
using System.Globalization;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using LLama;
using LLama.Common;
using LLama.Sampling;
using MerFactory.ModelHost;
using MerFactory.ModelHost.Tests.Support;
using Microsoft.Extensions.Configuration;

namespace MerFactory.Bench;

/// <summary>
/// The model host's cost per request: the same distinct prompts on the generated tiny GGUF, once through LLamaSharp
/// directly (StatelessExecutor, the model's chat template, greedy) and once through the host's HTTP API (JSON, slot,
/// pool), at 1 and 4 requests in parallel; target overhead ≤ 5 %. Then 8 clients at once against 1 slot and a queue of
/// 4: p50/p95 latency of the answered requests and the 429 rejections. Args: [requests=48] [maxTokens=64].
/// </summary>
public sealed class ModelHostBenchmark : IBenchmark
{
    public string Name => "model-host";
    public string Description => "model host overhead vs LLamaSharp directly (tiny GGUF, 1 and 4 parallel) and queue behaviour with 8 clients";

    public async Task<int> RunAsync(string[] args, TextWriter output, CancellationToken cancellationToken)
    {
        var requests = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 48;
        var maxTokens = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 64;
        // llama.cpp's own log lines would drown the figures (the host routes them to logging; the direct path has none).
        LLama.Native.NativeLogConfig.llama_log_set((_, _) => { });
        var folder = Directory.CreateTempSubdirectory("merfactory-bench-gguf-").FullName;
        try
        {
            TinyGguf.Write(Path.Combine(folder, "tiny.gguf"));
            var prompts = Enumerable.Range(0, requests).Select(i => $"Clip {i}: describe the facial expression at peak {i % 7} and the tone of voice {i * 13 % 11}.").ToList();
            var failures = 0;
            foreach (var parallel in new[] { 1, 4 })
            {
                var threads = Math.Max(1, Environment.ProcessorCount / parallel);
                using var weights = LLamaWeights.LoadFromFile(new ModelParams(Path.Combine(folder, "tiny.gguf")) { ContextSize = 512, Threads = threads });
                await using var host = await StartHostAsync(folder, parallel, queue: requests, threads);
                // Warm both paths, then alternate them so drift on a shared machine hits both alike.
                await DirectAsync(weights, threads, prompts.Take(parallel * 2).ToList(), parallel, maxTokens, cancellationToken);
                await HostAsync(host.Http, prompts.Take(parallel * 2).ToList(), parallel, maxTokens, cancellationToken);
                var direct = new List<(double Wall, double Cpu)>();
                var hosted = new List<(double Wall, double Cpu)>();
                for (var round = 0; round < 5; round++)
                {
                    direct.Add(await Measured(() => DirectAsync(weights, threads, prompts, parallel, maxTokens, cancellationToken)));
                    hosted.Add(await Measured(() => HostAsync(host.Http, prompts, parallel, maxTokens, cancellationToken)));
                }
                // CPU seconds of this process (generation, HTTP, JSON, scheduling) judge the overhead: on a shared machine
                // wall time mostly measures the neighbours. Wall time is printed beside it.
                var (dWall, dCpu) = (Median(direct.Select(x => x.Wall)) / requests * 1000, Median(direct.Select(x => x.Cpu)) / requests * 1000);
                var (hWall, hCpu) = (Median(hosted.Select(x => x.Wall)) / requests * 1000, Median(hosted.Select(x => x.Cpu)) / requests * 1000);
                var overhead = (hCpu - dCpu) / dCpu * 100;
                output.WriteLine($"parallel {parallel}: CPU per request {dCpu:0.00} ms directly, {hCpu:0.00} ms through the host: overhead {overhead:+0.0;-0.0} % (target <= 5 %); " +
                    $"wall per request {dWall:0.00} / {hWall:0.00} ms ({(hWall - dWall) / dWall * 100:+0.0;-0.0} %) [{requests} requests x 5 rounds, {maxTokens} tokens, {threads} thread(s) per request]");
                if (overhead > 5) failures++;
            }
            await QueueAsync(folder, maxTokens, output, cancellationToken);
            output.WriteLine(failures == 0 ? "model-host: PASS" : $"model-host: FAIL ({failures} overhead check(s) above 5 %)");
            return failures == 0 ? 0 : 1;
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    private static async Task<double> DirectAsync(LLamaWeights weights, int threads, IReadOnlyList<string> prompts, int parallel, int maxTokens, CancellationToken cancellationToken)
    {
        var parameters = new ModelParams("") { ContextSize = 512, Threads = threads };
        var started = Stopwatch.GetTimestamp();
        await Parallel.ForEachAsync(prompts, new ParallelOptions { MaxDegreeOfParallelism = parallel, CancellationToken = cancellationToken }, async (prompt, ct) =>
        {
            var template = new LLamaTemplate(weights) { AddAssistant = true };
            template.Add("user", prompt);
            var executor = new StatelessExecutor(weights, parameters) { ApplyTemplate = false };
            var inference = new InferenceParams { MaxTokens = maxTokens, SamplingPipeline = new DefaultSamplingPipeline { Temperature = 0 } };
            var text = new StringBuilder();
            await foreach (var piece in executor.InferAsync(Encoding.UTF8.GetString(template.Apply()), inference, ct)) text.Append(piece);
            if (text.Length == 0) throw new InvalidOperationException("LLamaSharp generated nothing");
        });
        return Stopwatch.GetElapsedTime(started).TotalSeconds;
    }

    private static async Task<double> HostAsync(HttpClient http, IReadOnlyList<string> prompts, int parallel, int maxTokens, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        await Parallel.ForEachAsync(prompts, new ParallelOptions { MaxDegreeOfParallelism = parallel, CancellationToken = cancellationToken }, async (prompt, ct) =>
        {
            using var response = await http.PostAsJsonAsync("v1/chat/completions", Request(prompt, maxTokens), ct);
            response.EnsureSuccessStatusCode();
            var body = JsonNode.Parse(await response.Content.ReadAsStringAsync(ct))!;
            if (body["choices"]![0]!["message"]!["content"]!.GetValue<string>().Length == 0) throw new InvalidOperationException("the host answered nothing");
        });
        return Stopwatch.GetElapsedTime(started).TotalSeconds;
    }

    /// <summary>8 clients, 1 slot, queue of 4: who waits how long, and how many are told to come back later.</summary>
    private static async Task QueueAsync(string folder, int maxTokens, TextWriter output, CancellationToken cancellationToken)
    {
        await using var host = await StartHostAsync(folder, slots: 1, queue: 4, threads: Environment.ProcessorCount);
        await HostAsync(host.Http, ["warm-up"], 1, maxTokens, cancellationToken);
        var latencies = new List<double>();
        var rejected = 0;
        var gate = new object();
        await Task.WhenAll(Enumerable.Range(0, 8).Select(client => Task.Run(async () =>
        {
            for (var i = 0; i < 6; i++)
            {
                var started = Stopwatch.GetTimestamp();
                using var response = await host.Http.PostAsJsonAsync("v1/chat/completions", Request($"Client {client} request {i}: summarise the clip.", maxTokens), cancellationToken);
                var seconds = Stopwatch.GetElapsedTime(started).TotalSeconds;
                lock (gate)
                {
                    if (response.StatusCode == HttpStatusCode.TooManyRequests) rejected++;
                    else if (response.IsSuccessStatusCode) latencies.Add(seconds * 1000);
                    else throw new InvalidOperationException($"unexpected HTTP {(int)response.StatusCode}");
                }
            }
        }, cancellationToken)));
        latencies.Sort();
        output.WriteLine($"queue (8 clients x 6 requests, 1 slot, queue 4): {latencies.Count} answered, {rejected} rejected with 429; latency p50 {Percentile(latencies, 50):0.0} ms, p95 {Percentile(latencies, 95):0.0} ms");
    }

    private static JsonObject Request(string prompt, int maxTokens) => new()
    {
        ["model"] = "tiny", ["max_tokens"] = maxTokens, ["temperature"] = 0,
        ["messages"] = new JsonArray(new JsonObject { ["role"] = "user", ["content"] = prompt }),
    };

    private static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted[sorted.Count / 2];
    }

    private static async Task<(double Wall, double Cpu)> Measured(Func<Task<double>> run)
    {
        var cpu = CpuTime.Self;
        var wall = await run();
        return (wall, CpuTime.Self - cpu);
    }

    private static double Percentile(List<double> sorted, int p) => sorted.Count == 0 ? double.NaN : sorted[Math.Min(sorted.Count - 1, (int)Math.Ceiling(p / 100.0 * sorted.Count) - 1)];

    /// <summary>The host as the CLI embeds it (loopback, random key), with this run's slots and queue.</summary>
    private static async Task<RunningHost> StartHostAsync(string folder, int slots, int queue, int threads)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["ModelHost:ModelsDirectory"] = folder,
            ["ModelHost:ContextSize"] = "512",
            ["ModelHost:Slots"] = slots.ToString(CultureInfo.InvariantCulture),
            ["ModelHost:QueueLimit"] = queue.ToString(CultureInfo.InvariantCulture),
            ["ModelHost:Threads"] = threads.ToString(CultureInfo.InvariantCulture),
        }).Build();
        var host = await EmbeddedModelHost.StartAsync("tiny", configuration, CancellationToken.None);
        var http = new HttpClient { BaseAddress = host.BaseUrl, Timeout = TimeSpan.FromMinutes(5) };
        http.DefaultRequestHeaders.Authorization = new("Bearer", host.ApiKey);
        return new RunningHost(host, http);
    }

    private sealed class RunningHost(EmbeddedModelHost host, HttpClient http) : IAsyncDisposable
    {
        public HttpClient Http { get; } = http;

        public async ValueTask DisposeAsync()
        {
            Http.Dispose();
            await host.DisposeAsync();
        }
    }
}
