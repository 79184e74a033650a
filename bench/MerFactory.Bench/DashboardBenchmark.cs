using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using MerFactory.Dashboard.Testing;
using MerFactory.Testing;
using Microsoft.Playwright;

namespace MerFactory.Bench;

/// <summary>
/// The curation dashboard over N generated MER records (default 10,000): next-record latency through the API and
/// rendered in Debian's chromium (p50/p95), filtered lists with exact counts, and a curated export with edits.
/// Targets (issue 17): next record p95 ≤ 200 ms, filtered list with counts ≤ 300 ms, curated export ≤ 5 s.
/// Usage: merfactory-bench dashboard [N] [--dataset DIR] [--only next,render,list,export]
/// (--dataset keeps the generated records and their curation database in DIR and reuses them on the next run).
/// </summary>
public sealed class DashboardBenchmark : IBenchmark
{
    public string Name => "dashboard";

    public string Description => "dashboard over N records: next record (API, render) p95, filtered list + counts, curated export";

    public async Task<int> RunAsync(string[] args, TextWriter output, CancellationToken cancellationToken)
    {
        var count = args.Length > 0 && !args[0].StartsWith("--", StringComparison.Ordinal) ? int.Parse(args[0], CultureInfo.InvariantCulture) : 10_000;
        var kept = Option(args, "--dataset");
        var only = Option(args, "--only")?.Split(',') ?? ["next", "render", "list", "export"];
        var root = kept is null ? Directory.CreateTempSubdirectory("merfactory-dashboard-bench-").FullName : Directory.CreateDirectory(kept).FullName;
        try
        {
            var clock = Stopwatch.StartNew();
            var video = SharedData.DataPath("media", "pyfeat", "single_face.mp4");
            // Every record a distinct MER clip, so the export covers all N of them.
            var specs = SampleDataset.Specs(count);
            if (kept is null || !Directory.Exists(Path.Combine(root, specs[^1].Id)))
            {
                foreach (var spec in specs) SampleDataset.Write(root, spec with { Type = "mer" }, video, null);
                output.WriteLine($"# generated {count} records in {clock.Elapsed.TotalSeconds:0.0} s");
            }

            clock.Restart();
            // The dashboard as users run it: `merfactory dashboard DIR` in its own process, with the CLI's runtime settings.
            using var server = await StartDashboardAsync(root, cancellationToken);
            var address = server.Address;
            output.WriteLine($"# start (schema + index of {count} records, or their check when kept): {clock.Elapsed.TotalSeconds:0.0} s");
            using var http = new HttpClient { BaseAddress = address };

            if (only.Contains("next")) Report(output, "next record, API (details + neighbours)", await NextRecordApiAsync(http, 300, cancellationToken), 200);
            if (only.Contains("render") && await NextRecordRenderAsync(address, 60, output) is { Count: > 0 } render)
                Report(output, "next record, key j to rendered page", render, 200);
            if (only.Contains("list")) await ListsAsync(http, output, cancellationToken);
            if (only.Contains("export")) await ExportAsync(http, count, output, cancellationToken);
            return 0;
        }
        finally
        {
            if (kept is null) Directory.Delete(root, recursive: true);
        }
    }

    private static async Task<DashboardProcess> StartDashboardAsync(string outputDir, CancellationToken cancellationToken)
    {
        var cli = Path.Combine(AppContext.BaseDirectory, "merfactory.dll");
        var process = Process.Start(new ProcessStartInfo("dotnet", [cli, "dashboard", outputDir, "--port", "0"])
        {
            RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
        }) ?? throw new InvalidOperationException("could not start " + cli);
        process.ErrorDataReceived += (_, e) => { if (e.Data is { Length: > 0 }) Console.Error.WriteLine("# dashboard: " + e.Data); };
        process.BeginErrorReadLine();
        while (await process.StandardOutput.ReadLineAsync(cancellationToken) is { } line)
        {
            if (!line.StartsWith("Open ", StringComparison.Ordinal)) continue;
            _ = process.StandardOutput.ReadToEndAsync(cancellationToken); // keep draining: a full pipe would stall the server's logging
            return new DashboardProcess(process, new Uri(line["Open ".Length..].Trim()));
        }
        throw new InvalidOperationException($"merfactory dashboard exited ({process.ExitCode}) before printing its address");
    }

    /// <summary>The dashboard server process; stopped (with its children) when disposed.</summary>
    private sealed record DashboardProcess(Process Process, Uri Address) : IDisposable
    {
        public void Dispose()
        {
            if (!Process.HasExited) Process.Kill(entireProcessTree: true);
            Process.WaitForExit();
            Process.Dispose();
        }
    }

    private static string? Option(string[] args, string name) =>
        Array.IndexOf(args, name) is var i and >= 0 && i + 1 < args.Length ? args[i + 1] : null;

    private static async Task ListsAsync(HttpClient http, TextWriter output, CancellationToken cancellationToken)
    {
        var filters = new[]
        {
            "", "type=mer", "emotion=happiness", "label=anger", "state=pending", "rating=0", "q=clip_0999", "q=conversation",
            "metric=composite_score&metric_min=0.5", "flag=unsupported_au", "emotion=fear&label=fear&metric=composite_score&metric_max=0.3",
            "tier=auto&state=pending&page=40",
        };
        var lists = new List<double>();
        foreach (var filter in filters)
        {
            var times = new List<double>();
            for (var round = 0; round < 5; round++)
                times.Add(await TimeAsync(() => http.GetStringAsync($"/api/records?{filter}&page_size=50", cancellationToken)));
            output.WriteLine($"#   list '{filter}': {string.Join(" ", times.Select(t => t.ToString("0", CultureInfo.InvariantCulture)))} ms");
            lists.AddRange(times);
        }
        Report(output, "filtered list with exact counts", lists, 300);
    }

    private static async Task ExportAsync(HttpClient http, int count, TextWriter output, CancellationToken cancellationToken)
    {
        // Curate a share of the records, then export them all with edits applied.
        for (var i = 0; i < 200; i++)
        {
            var id = $"clip_{i * (count / 200):D5}";
            await http.PutAsJsonAsync($"/api/records/{id}/fields/final_summary", new { value = $"Curated summary {i}. In conclusion, the core emotional state is joy, and the most likely cause is the news." }, cancellationToken);
            await http.PutAsJsonAsync($"/api/records/{id}/rating", new { value = 1 + i % 5 }, cancellationToken);
        }
        foreach (var format in new[] { "csv", "sharegpt" })
        {
            HttpResponseMessage? response = null;
            var seconds = await TimeAsync(async () => response = await http.GetAsync($"/api/export?format={format}&type=mer", cancellationToken)) / 1000;
            var exported = response!.Headers.GetValues("X-Records-Exported").Single();
            output.WriteLine($"curated export {format,-9} {exported,6} records {seconds,7:0.00} s   target 5 s   ratio {seconds / 5:0.00}");
        }
    }

    private static async Task<List<double>> NextRecordApiAsync(HttpClient http, int steps, CancellationToken cancellationToken)
    {
        var times = new List<double>();
        var id = "clip_01000";
        for (var i = 0; i < steps; i++)
        {
            string? next = null;
            times.Add(await TimeAsync(async () =>
            {
                var details = http.GetStringAsync($"/api/records/{id}", cancellationToken);
                var neighbours = http.GetFromJsonAsync<JsonObject>($"/api/records/{id}/neighbors?type=mer", cancellationToken);
                await details;
                next = (await neighbours)!["next"]!.GetValue<string>();
            }));
            id = next!;
        }
        return times;
    }

    /// <summary>Presses j on the record page and waits for the next record to be rendered, timed inside the page.</summary>
    private static async Task<List<double>> NextRecordRenderAsync(Uri address, int steps, TextWriter output)
    {
        const string chromium = "/usr/bin/chromium";
        if (!File.Exists(chromium))
        {
            output.WriteLine("# render: not measured (no /usr/bin/chromium; scripts/setup.sh installs it)");
            return [];
        }
        Environment.SetEnvironmentVariable("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1");
        using var playwright = await Playwright.CreateAsync();
        await using var browser = await playwright.Chromium.LaunchAsync(new() { ExecutablePath = chromium, Headless = true, Args = ["--no-sandbox", "--disable-gpu", "--mute-audio"] });
        var page = await browser.NewPageAsync();
        await page.GotoAsync(new Uri(address, "/#/record/clip_02000?type=mer").ToString());
        await page.WaitForFunctionAsync("() => document.body.dataset.record === 'clip_02000'");
        var times = new List<double>();
        for (var i = 0; i < steps; i++)
        {
            var ms = await page.EvaluateAsync<double>(@"() => new Promise(resolve => {
                const start = performance.now();
                document.addEventListener('record-rendered', () => resolve(performance.now() - start), { once: true });
                document.dispatchEvent(new KeyboardEvent('keydown', { key: 'j', bubbles: true }));
            })");
            times.Add(ms);
        }
        return times;
    }

    private static async Task<double> TimeAsync(Func<Task> action)
    {
        var clock = Stopwatch.StartNew();
        await action();
        return clock.Elapsed.TotalMilliseconds;
    }

    private static void Report(TextWriter output, string what, List<double> ms, double targetMs)
    {
        var sorted = ms.Order().ToList();
        double Percentile(double p) => sorted[Math.Min(sorted.Count - 1, (int)Math.Ceiling(p * sorted.Count) - 1)];
        var p95 = Percentile(0.95);
        output.WriteLine($"{what,-42} n={sorted.Count,4}  p50 {Percentile(0.5),7:0.0} ms  p95 {p95,7:0.0} ms  max {sorted[^1],7:0.0} ms   target {targetMs} ms   ratio {p95 / targetMs:0.00}");
    }
}
