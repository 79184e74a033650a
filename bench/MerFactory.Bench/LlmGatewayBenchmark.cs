using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using MerFactory.Llm;
using MerFactory.Llm.Routing;

namespace MerFactory.Bench;

/// <summary>
/// Throughput of the llm-gateway under its per-backend limits: N requests against a loopback OpenAI-compatible
/// server that answers (streamed) after a fixed latency. Checks throughput ≥ 90 % of min(C / latency, rate) and that
/// neither the concurrency limit nor the requests-per-window limit is ever exceeded. The "reference" run is
/// MER-Factory's behaviour (a concurrency semaphore, no rate limiter) against the same limit.
/// Args: [requests=200] [latencyMs=300].
/// </summary>
public sealed class LlmGatewayBenchmark : IBenchmark
{
    public string Name => "llm-gateway";
    public string Description => "LLM gateway throughput vs concurrency and requests-per-minute limits (loopback server, 300 ms latency)";

    public async Task<int> RunAsync(string[] args, TextWriter output, CancellationToken cancellationToken)
    {
        var requests = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 200;
        var latency = TimeSpan.FromMilliseconds(args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 300);
        using var server = new SlowChatServer(latency);
        server.Start();
        output.WriteLine($"server: {server.BaseUrl} (OpenAI-compatible, SSE), latency {latency.TotalMilliseconds:0} ms, {requests} requests per scenario");

        var window = TimeSpan.FromSeconds(6);
        var failures = 0;
        // Rate-bound: C/latency = 26.7/s, limit 600 RPM enforced over a 6 s window (60 per 6 s = 10/s).
        failures += await ScenarioAsync("rate-bound", server, requests, latency, concurrency: 8, rpm: 600, window, output, cancellationToken, enforce: true);
        // Concurrency-bound: C/latency = 13.3/s, limit 6000 RPM (100/s).
        failures += await ScenarioAsync("concurrency-bound", server, requests, latency, concurrency: 4, rpm: 6000, window, output, cancellationToken, enforce: true);
        // Reference behaviour (MER-Factory: semaphore only, no RPM limiter) against the 600 RPM limit of the first scenario.
        await ScenarioAsync("reference: no rate limiter", server, requests, latency, concurrency: 8, rpm: null, window, output, cancellationToken, enforce: false, referenceRpm: 600);
        output.WriteLine(failures == 0 ? "llm-gateway: PASS" : $"llm-gateway: FAIL ({failures} check(s))");
        return failures == 0 ? 0 : 1;
    }

    private static async Task<int> ScenarioAsync(string name, SlowChatServer server, int requests, TimeSpan latency, int concurrency, int? rpm, TimeSpan window,
        TextWriter output, CancellationToken cancellationToken, bool enforce, int? referenceRpm = null)
    {
        server.ResetCounters();
        var backend = new LlmBackendOptions
        {
            Kind = LlmBackendKind.OpenAICompatible,
            BaseUrl = new Uri(server.BaseUrl, "v1/"),
            MaxConcurrency = concurrency,
            RequestsPerMinute = rpm,
            RateLimitWindow = window,
            MaxRetries = 0,
            CircuitMinimumThroughput = 100_000,
        };
        var routing = new LlmRoutingOptions { Default = LlmStepRoute.To("bench", "bench-model") };
        routing.Backends["bench"] = backend;
        var starts = new List<long>();
        using var gateway = new LlmGateway(routing, primaryHandlerFactory: _ => new StartRecordingHandler(starts) { InnerHandler = new SocketsHttpHandler { MaxConnectionsPerServer = 256 } });

        var clock = Stopwatch.StartNew();
        var tasks = Enumerable.Range(0, requests)
            .Select(i => gateway.RunAsync(new LlmStepRequest(LlmStep.Synthesis, $"Request {i}: conclude from the clues."), cancellationToken))
            .ToList();
        var results = await Task.WhenAll(tasks);
        var elapsed = clock.Elapsed;

        var completed = results.Count(r => r.Status == LlmStepStatus.Completed && !string.IsNullOrEmpty(r.Text));
        var throughput = completed / elapsed.TotalSeconds;
        var limit = rpm ?? referenceRpm;
        var permits = limit is null ? (int?)null : (int)Math.Floor(limit.Value * window.TotalMinutes);
        var rateBound = permits is null ? double.PositiveInfinity : permits.Value / window.TotalSeconds;
        var bound = Math.Min(concurrency / latency.TotalSeconds, rateBound);
        long[] sorted;
        lock (starts) sorted = [.. starts.Order()];
        var maxInWindow = MaxInWindow(sorted, window);

        output.WriteLine($"-- {name}: C={concurrency}, limit={(limit is null ? "none" : $"{limit} RPM = {permits} per {window.TotalSeconds:0} s")}{(rpm is null && limit is not null ? " (not enforced)" : "")}");
        output.WriteLine($"   completed {completed}/{requests} in {elapsed.TotalSeconds:0.00} s → {throughput:0.00} req/s; bound min(C/latency={concurrency / latency.TotalSeconds:0.00}, rate={rateBound:0.00}) = {bound:0.00} req/s → {throughput / bound:P1} of bound");
        output.WriteLine($"   max in flight at server {server.MaxInFlight} (limit {concurrency}); max starts in any {window.TotalSeconds:0} s window {maxInWindow}{(permits is null ? "" : $" (limit {permits})")}");

        if (!enforce) return 0;
        var failures = 0;
        void Check(bool ok, string what)
        {
            if (ok) return;
            failures++;
            output.WriteLine("   FAIL: " + what);
        }
        Check(completed == requests, "not every request completed");
        Check(throughput >= 0.9 * bound, $"throughput {throughput:0.00} < 90 % of {bound:0.00}");
        Check(server.MaxInFlight <= concurrency, $"concurrency {server.MaxInFlight} exceeded {concurrency}");
        Check(permits is null || maxInWindow <= permits, $"{maxInWindow} starts in one window exceeded {permits}");
        return failures;
    }

    /// <summary>Largest number of request starts inside any half-open window [t, t + window).</summary>
    private static int MaxInWindow(long[] sortedTimestamps, TimeSpan window)
    {
        var ticks = (long)(window.TotalSeconds * Stopwatch.Frequency);
        var best = 0;
        for (int lo = 0, hi = 0; hi < sortedTimestamps.Length; hi++)
        {
            while (sortedTimestamps[hi] - sortedTimestamps[lo] >= ticks) lo++;
            best = Math.Max(best, hi - lo + 1);
        }
        return best;
    }

    /// <summary>Records when each request actually leaves the client (after the gateway's limiters).</summary>
    private sealed class StartRecordingHandler(List<long> starts) : DelegatingHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            lock (starts) starts.Add(Stopwatch.GetTimestamp());
            return base.SendAsync(request, cancellationToken);
        }
    }

    /// <summary>Minimal OpenAI-compatible chat server (HttpListener) that answers every request after a fixed delay.</summary>
    private sealed class SlowChatServer(TimeSpan latency) : IDisposable
    {
        private readonly HttpListener _listener = new();
        private readonly CancellationTokenSource _stop = new();
        private int _inFlight;
        private int _maxInFlight;

        public Uri BaseUrl { get; private set; } = null!;
        public int MaxInFlight => Volatile.Read(ref _maxInFlight);

        public void ResetCounters() => Volatile.Write(ref _maxInFlight, 0);

        public void Start()
        {
            var probe = new TcpListener(IPAddress.Loopback, 0);
            probe.Start();
            var port = ((IPEndPoint)probe.LocalEndpoint).Port;
            probe.Stop();
            BaseUrl = new Uri($"http://127.0.0.1:{port}/");
            _listener.Prefixes.Add(BaseUrl.AbsoluteUri);
            _listener.Start();
            _ = Task.Run(AcceptLoopAsync);
        }

        private async Task AcceptLoopAsync()
        {
            while (!_stop.IsCancellationRequested)
            {
                HttpListenerContext context;
                try { context = await _listener.GetContextAsync(); }
                catch (Exception) when (_stop.IsCancellationRequested) { return; }
                catch (HttpListenerException) { return; }
                _ = Task.Run(() => HandleAsync(context));
            }
        }

        private async Task HandleAsync(HttpListenerContext context)
        {
            var now = Interlocked.Increment(ref _inFlight);
            int seen;
            while (now > (seen = Volatile.Read(ref _maxInFlight)) && Interlocked.CompareExchange(ref _maxInFlight, now, seen) != seen) { }
            try
            {
                using (var reader = new StreamReader(context.Request.InputStream)) await reader.ReadToEndAsync();
                await Task.Delay(latency);
                var body = new StringBuilder()
                    .Append("data: {\"id\":\"b\",\"object\":\"chat.completion.chunk\",\"model\":\"bench-model\",\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"The core emotional state is calm.\"},\"finish_reason\":null}]}\n\n")
                    .Append("data: {\"id\":\"b\",\"object\":\"chat.completion.chunk\",\"model\":\"bench-model\",\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}]}\n\n")
                    .Append("data: {\"id\":\"b\",\"object\":\"chat.completion.chunk\",\"model\":\"bench-model\",\"choices\":[],\"usage\":{\"prompt_tokens\":20,\"completion_tokens\":8,\"total_tokens\":28}}\n\n")
                    .Append("data: [DONE]\n\n").ToString();
                var bytes = Encoding.UTF8.GetBytes(body);
                context.Response.ContentType = "text/event-stream";
                context.Response.ContentLength64 = bytes.Length;
                // Leave the in-flight count before the client can see the end of the answer and start its next call.
                Interlocked.Decrement(ref _inFlight);
                await context.Response.OutputStream.WriteAsync(bytes);
                context.Response.Close();
            }
            catch (Exception) when (_stop.IsCancellationRequested)
            {
            }
        }

        public void Dispose()
        {
            _stop.Cancel();
            _listener.Close();
            _stop.Dispose();
        }
    }
}
