using System.Diagnostics;
using System.Globalization;
using System.Text;
using MerFactory.Export;

namespace MerFactory.Bench;

/// <summary>
/// Exports generated MER output folders (N records, each with its AU CSV and transcript) to every format and
/// prints time and memory per format, for two sizes, to show memory does not grow with the record count.
/// Usage: merfactory-bench export [N1,N2,...] (default 1000,10000).
/// Side by side with Python MER-Factory's export.py when MERFACTORY_REFERENCE names a folder holding it
/// (with <c>utils/prompts/prompts.json</c>) and a python3 with pandas and tqdm is found (MERFACTORY_PYTHON, else /usr/bin/python3).
/// </summary>
public sealed class ExportBenchmark : IBenchmark
{
    public string Name => "export";

    public string Description => "export N MER records to CSV, ShareGPT json/jsonl, Emotion-LLaMA coarse/fine, CSV->JSON: time, peak GC heap, working set";

    public async Task<int> RunAsync(string[] args, TextWriter output, CancellationToken cancellationToken)
    {
        var sizes = args.Length > 0
            ? args[0].Split(',').Select(s => int.Parse(s, CultureInfo.InvariantCulture)).ToArray()
            : [1_000, 10_000];
        var temp = Path.Combine(Path.GetTempPath(), "merfactory-export-bench-" + Environment.ProcessId);
        try
        {
            var reference = Environment.GetEnvironmentVariable("MERFACTORY_REFERENCE");
            var python = Environment.GetEnvironmentVariable("MERFACTORY_PYTHON") ?? "/usr/bin/python3";
            var withReference = reference is { Length: > 0 } && File.Exists(Path.Combine(reference, "export.py")) && File.Exists(python);
            output.WriteLine(withReference
                ? $"# reference: {Path.Combine(reference!, "export.py")} run by {python} (peak RSS of the child process)"
                : "# reference: not run (set MERFACTORY_REFERENCE to a folder with MER-Factory's export.py)");
            output.WriteLine($"{"records",8} {"tool",-9} {"format",-22} {"seconds",8} {"rec/s",9} {"peak heap MB",13} {"alloc MB",9} {"peak WS MB",11}");
            foreach (var size in sizes)
            {
                var root = Path.Combine(temp, $"out-{size}");
                var generated = Stopwatch.StartNew();
                Generate(root, size);
                output.WriteLine($"# generated {size} records in {generated.Elapsed.TotalSeconds:0.0} s");
                var exportPath = Path.Combine(temp, $"export-{size}");
                var runner = new ExportRunner();
                var runs = new (string Name, ExportOptions Options)[]
                {
                    ("csv", new() { OutputFolder = root, FileType = ExportFileType.Mer, ExportPath = exportPath, ExportCsv = true, ExportFormat = null }),
                    ("sharegpt-json", new() { OutputFolder = root, FileType = ExportFileType.Mer, ExportPath = exportPath, Seed = 1 }),
                    ("sharegpt-jsonl", new() { OutputFolder = root, FileType = ExportFileType.Mer, ExportPath = exportPath, JsonFormat = JsonFormat.Jsonl, Seed = 1 }),
                    ("emotion-llama", new() { OutputFolder = root, FileType = ExportFileType.Mer, ExportPath = exportPath, ExportFormat = ExportFormat.EmotionLlama }),
                    ("emotion-llama-fine", new() { OutputFolder = root, FileType = ExportFileType.Mer, ExportPath = exportPath, ExportFormat = ExportFormat.EmotionLlamaFine }),
                    ("csv->sharegpt-json", new() { InputCsv = Path.Combine(exportPath, "mer_export_data.csv"), ExportPath = Path.Combine(exportPath, "from-csv"), Seed = 1 }),
                };
                foreach (var (name, options) in runs)
                {
                    var (result, seconds, peakHeap, allocated) = await Measure(() => runner.RunAsync(options, cancellationToken));
                    if (result.RecordsExported != size)
                    {
                        output.WriteLine($"FAILED: {name} exported {result.RecordsExported} of {size}");
                        return 1;
                    }
                    using var process = Process.GetCurrentProcess();
                    output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                        $"{size,8} {"dotnet",-9} {name,-22} {seconds,8:0.00} {size / seconds,9:0} {peakHeap / 1e6,13:0.0} {allocated / 1e6,9:0} {process.PeakWorkingSet64 / 1e6,11:0}"));
                }
                if (withReference)
                {
                    var refPath = Path.Combine(temp, $"ref-{size}");
                    string[] common = ["--output_folder", root, "--file_type", "mer", "--export_path", refPath];
                    var refRuns = new (string Name, string[] Args)[]
                    {
                        ("csv(+sharegpt)", [.. common, "--export_csv"]),
                        ("sharegpt-json", common),
                        ("sharegpt-jsonl", [.. common, "--json_format", "jsonl"]),
                        ("emotion-llama", [.. common, "--export_format", "emotion-llama"]),
                        ("emotion-llama-fine", [.. common, "--export_format", "emotion-llama-fine"]),
                        ("csv->sharegpt-json", ["--input_csv", Path.Combine(refPath, "mer_export_data.csv"), "--export_path", Path.Combine(refPath, "from-csv")]),
                    };
                    foreach (var (name, refArgs) in refRuns)
                    {
                        var (seconds, maxRssKb) = await RunReference(python, reference!, refArgs, cancellationToken);
                        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                            $"{size,8} {"python",-9} {name,-22} {seconds,8:0.00} {size / seconds,9:0} {"-",13} {"-",9} {maxRssKb / 1e3,11:0}"));
                    }
                }
                Directory.Delete(root, recursive: true);
            }
            output.WriteLine("# peak heap: highest GC heap size sampled every 2 ms during the run, above the heap before it (after a full GC).");
            output.WriteLine("# peak WS: the process's peak working set so far (monotonic); compare the last rows of each size.");
            return 0;
        }
        finally
        {
            if (Directory.Exists(temp)) Directory.Delete(temp, recursive: true);
        }
    }

    // A small python wrapper reports the child's wall time and peak RSS (ru_maxrss of RUSAGE_CHILDREN, in KiB).
    private const string ReferenceWrapper =
        "import resource,subprocess,sys,time;t=time.time();" +
        "subprocess.run([sys.executable,'export.py']+sys.argv[1:],stdout=subprocess.DEVNULL,stderr=subprocess.DEVNULL,check=True);" +
        "print(time.time()-t, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)";

    private static async Task<(double Seconds, double MaxRssKb)> RunReference(string python, string referenceDir, string[] args, CancellationToken cancellationToken)
    {
        var start = new ProcessStartInfo(python) { WorkingDirectory = referenceDir, RedirectStandardOutput = true, UseShellExecute = false };
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add(ReferenceWrapper);
        foreach (var arg in args) start.ArgumentList.Add(arg);
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {python}");
        var text = await process.StandardOutput.ReadToEndAsync(cancellationToken);
        await process.WaitForExitAsync(cancellationToken);
        if (process.ExitCode != 0) throw new InvalidOperationException($"reference export failed ({process.ExitCode}): {string.Join(' ', args)}");
        var parts = text.Trim().Split(' ');
        return (double.Parse(parts[0], CultureInfo.InvariantCulture), double.Parse(parts[1], CultureInfo.InvariantCulture));
    }

    private static async Task<(ExportResult Result, double Seconds, long PeakHeap, long Allocated)> Measure(Func<Task<ExportResult>> run)
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        var baseline = GC.GetTotalMemory(forceFullCollection: true);
        var allocatedBefore = GC.GetTotalAllocatedBytes(precise: true);
        long peak = 0;
        using var stop = new CancellationTokenSource();
        var sampler = new Thread(() =>
        {
            while (!stop.IsCancellationRequested)
            {
                peak = Math.Max(peak, GC.GetTotalMemory(false) - baseline);
                Thread.Sleep(2);
            }
        }) { IsBackground = true };
        sampler.Start();
        var watch = Stopwatch.StartNew();
        var result = await run();
        watch.Stop();
        await stop.CancelAsync();
        sampler.Join();
        peak = Math.Max(peak, GC.GetTotalMemory(false) - baseline);
        return (result, watch.Elapsed.TotalSeconds, peak, GC.GetTotalAllocatedBytes(precise: true) - allocatedBefore);
    }

    /// <summary>MER records shaped like spec §7.2's example, with a 40-frame AU CSV and a transcript each.</summary>
    private static void Generate(string root, int count)
    {
        var emotions = new[] { "happy", "sad", "angry", "surprise", "fear", "neutral" };
        var csv = new StringBuilder("frame, face_id, timestamp, confidence, success, AU01_r, AU04_r, AU06_r, AU12_r, AU25_r, AU45_r\n");
        for (var frame = 1; frame <= 40; frame++)
            csv.Append(CultureInfo.InvariantCulture, $"{frame}, 0, {frame * 0.04:0.00}, 0.98, 1, 0.30, {frame % 5 * 0.4:0.00}, {frame % 3 * 0.7:0.00}, 1.20, 0.50, 0.00\n");
        var auCsv = csv.ToString();
        for (var i = 0; i < count; i++)
        {
            var id = $"sample_{i:00000000}";
            var folder = Path.Combine(root, id);
            Directory.CreateDirectory(folder);
            var emotion = emotions[i % emotions.Length];
            File.WriteAllText(Path.Combine(folder, $"{id}_merr_data.json"), $$"""
                {
                    "source_path": "/data/video/{{id}}.mp4",
                    "audio_path": "/out/{{id}}/{{id}}.wav",
                    "chronological_emotion_peaks": ["Peak at 1.20s: {{emotion}} (slight)", "Peak at 3.48s: {{emotion}} (moderate), contempt (slight)"],
                    "overall_peak_frame_info": {"frame_number": 88, "timestamp": 3.48, "top_aus_intensities": {"AU06_r": 1.45, "AU07_r": 2.78, "AU10_r": 2.62, "AU12_r": 1.74, "AU14_r": 1.54, "AU25_r": 2.69} },
                    "coarse_descriptions_at_peak": {
                        "visual_expression": "Cheek raiser (intensity: 1.45), Lid tightener (intensity: 2.78), Upper lip raiser (intensity: 2.62), Lip corner puller (smile) (intensity: 1.74), Dimpler (intensity: 1.54), Lips part (intensity: 2.69)",
                        "visual_objective": "The main subject is a man in a white coat. A stethoscope is around his neck. He is standing in a hospital corridor.",
                        "audio_analysis": "我哪知道啊？ 我也没有这方面的经验。\nSpeaker's tone: exasperated, slightly annoyed. Pitch: medium. Background noise: slight room ambience.",
                        "video_content": "Two men are in a room. One man is facing the camera and speaks quickly while the other listens with crossed arms."
                    },
                    "final_summary": "Let's begin by dissecting the facial expressions. The lid tightener and upper lip raiser point to irritation, while the lips part as he speaks.\nThe tone is exasperated and the words deny any experience with the matter.\nIn conclusion, the core emotional state is {{emotion}}, and the most likely cause is being asked a question he cannot answer."
                }
                """);
            File.WriteAllText(Path.Combine(folder, $"{id}.csv"), auCsv);
            File.WriteAllText(Path.Combine(folder, $"{id}_transcript.json"), """{"text": "我哪知道啊？ 我也没有这方面的经验。"}""");
        }
    }
}
