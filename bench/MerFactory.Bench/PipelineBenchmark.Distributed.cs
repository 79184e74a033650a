using MerFactory.Llm.Tests.Fakes;

namespace MerFactory.Bench;

public sealed partial class PipelineBenchmark
{
    private static int WarmUpClips => int.Parse(Environment.GetEnvironmentVariable("MERFACTORY_BENCH_WARMUP") ?? "3", System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>
    /// One distributed run at -c 8: wall time as the user sees it (upload, job, download), CPU per service over the
    /// run, and what crossed the object-store proxy per file against the step results' own bytes plus the inputs.
    /// </summary>
    private static async Task<int> RunDistributedAsync(string rabbit, int instances, string input, long inputBytes, int files, string work, FakeOpenAi model,
        Action<string, CliRun, int, string> report, Dictionary<string, double> results, TextWriter output, CancellationToken cancellationToken)
    {
        await using var deployment = await BenchDeployment.StartAsync(rabbit, model.BaseUrl, instances, cancellationToken);
        var infrastructure = new Dictionary<string, int?>
        {
            ["rabbitmq"] = BenchDeployment.PortOf(rabbit) is { } amqp ? ProcessTreeCpu.ListeningPid(amqp) : null,
            ["postgres"] = deployment.DatabasePort is { } pg ? ProcessTreeCpu.ListeningPid(pg) : null,
        };
        Dictionary<string, double> Cpu()
        {
            var cpu = deployment.CpuSeconds();
            foreach (var (name, pid) in infrastructure) if (pid is { } p) cpu[name] = ProcessTreeCpu.Seconds(p);
            return cpu;
        }

        // Services are long-running: a few clips that share nothing with the measured ones go through first, so the
        // run measures the services at work rather than their first JIT compilations (each CLI run is a fresh process).
        if (WarmUpClips > 0)
        {
            var warmUp = Path.Combine(work, $"warm-up-{instances}");
            await DistinctClips.CreateAsync(warmUp, files, WarmUpClips, cancellationToken);
            var warm = await RunCliAsync(warmUp, warmUp + "-out", 8, model, deployment, cancellationToken);
            output.WriteLine($"    (warm-up: {WarmUpClips} other distinct clips in {warm.Seconds:0.0} s, failed {warm.Failed}; not counted)");
        }
        var stored = await deployment.InventoryAsync(cancellationToken);
        deployment.Store.Take(); // start-up traffic (bucket creation, health checks) is not the run's
        var (before, load, cpuBefore) = (model.Calls.Count, LoadAverage(), Cpu());
        model.TakePeakConcurrentCalls();
        var mode = $"distributed c8, {instances} au-service";
        var run = await RunCliAsync(input, Path.Combine(work, $"distributed-{instances}"), 8, model, deployment, cancellationToken);
        var cpuAfter = Cpu();
        var traffic = deployment.Store.Take();
        report(mode, run, model.Calls.Count - before, $"{load}->{LoadAverage()}");

        output.WriteLine("    cpu s per process over the run: " + string.Join(", ", cpuAfter.Select(c => $"{c.Key} {c.Value - cpuBefore.GetValueOrDefault(c.Key):0.0}")));
        var inventory = (await deployment.InventoryAsync(cancellationToken)).Since(stored);
        var (requests, sent, received) = (traffic.Values.Sum(t => t.Requests), traffic.Values.Sum(t => t.BytesSent), traffic.Values.Sum(t => t.BytesReceived));
        output.WriteLine($"    store requests per file {requests / (double)files:0.0} ({string.Join(", ", traffic.GroupBy(t => t.Key.Method).Select(g => $"{g.Key} {g.Sum(t => t.Value.Requests)}"))})");
        output.WriteLine("    store traffic by method/area (requests, MB sent, MB received): " + string.Join("; ",
            traffic.OrderBy(t => t.Key.Method, StringComparer.Ordinal).ThenBy(t => t.Key.Area, StringComparer.Ordinal)
                .Select(t => $"{t.Key.Method} {t.Key.Area} {t.Value.Requests} {t.Value.BytesSent / 1e6:0.00} {t.Value.BytesReceived / 1e6:0.00}")));
        output.WriteLine($"    stored by the run: {inventory.AreasLine()}; step keys: {inventory.KeysLine()}");
        var own = (inventory.ArtifactBytes + inputBytes) / (double)files;
        var written = sent / (double)files;
        output.WriteLine($"    per file: stored {written / 1e6:0.000} MB, read {received / (double)files / 1e6:0.000} MB; artifacts' own size {own / 1e6:0.000} MB (step results {inventory.ArtifactBytes / 1e6 / files:0.000} + input {inputBytes / 1e6 / files:0.000}) -> stored/own {written / own:0.00}x (target <= 1.1x)");
        if (inventory.StepsWithFewerKeysThan(files).ToList() is { Count: > 0 } shared)
            output.WriteLine($"    steps with fewer keys than files (shared or skipped work): {string.Join(", ", shared)}");
        if (results.TryGetValue("embedded, --concurrency 8", out var embedded8))
            output.WriteLine($"    vs embedded c8: {run.Seconds / embedded8:0.00}x the wall time (target <= 1.3x) -> {(run.Seconds / embedded8 <= 1.3 ? "PASS" : "FAIL")}");
        return run.Failed == 0 ? 0 : 1;
    }
}
