using System.Diagnostics;
using MerFactory.Facs.Analysis;
using MerFactory.Facs.OpenFace;
using MerFactory.Testing;

namespace MerFactory.Bench;

/// <summary>
/// OpenFace CSV import/export and MER-Factory's facial analysis on a long synthetic AU table (default: one hour at
/// 30 fps, 17+18 AUs, pose and 68 landmarks), side by side with MER-Factory's own path (pandas read_csv +
/// scipy find_peaks + row rules) when python3 with pandas and scipy is present.
/// Args: [frames]
/// </summary>
public sealed class FacsBenchmark : IBenchmark
{
    public string Name => "facs";

    public string Description => "OpenFace CSV write/read + FACS analysis of a long AU table vs pandas+scipy (MER-Factory)";

    public async Task<int> RunAsync(string[] args, TextWriter output, CancellationToken cancellationToken)
    {
        var frames = args.Length > 0 ? int.Parse(args[0], System.Globalization.CultureInfo.InvariantCulture) : 108_000;
        var folder = Directory.CreateTempSubdirectory("facs-bench-").FullName;
        try
        {
            var csv = Path.Combine(folder, "long.csv");
            var template = OpenFaceCsv.Read(SharedData.DataPath("reference", "default_openface2017.csv"));

            var stopwatch = Stopwatch.StartNew();
            using (var writer = OpenFaceCsvWriter.Open(csv, OpenFaceLayout.Full))
            {
                for (var i = 0; i < frames; i++)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    var source = template.Frames[i % template.Count];
                    writer.WriteRow(new OpenFaceFrame
                    {
                        Frame = i + 1,
                        Timestamp = i / 30.0,
                        Confidence = source.Confidence,
                        Success = source.Success,
                        Intensities = source.Intensities,
                        Presences = source.Presences,
                        Pose = source.Pose,
                        LandmarksX = source.LandmarksX,
                        LandmarksY = source.LandmarksY,
                    });
                }
            }

            var writeTime = stopwatch.Elapsed;
            var size = new FileInfo(csv).Length;
            output.WriteLine($"write : {frames} rows, {size / 1048576.0:F1} MiB in {writeTime.TotalSeconds:F2} s ({frames / writeTime.TotalSeconds:F0} rows/s)");

            stopwatch.Restart();
            var table = OpenFaceCsv.Read(csv);
            var readTime = stopwatch.Elapsed;
            output.WriteLine($"read  : {table.Count} rows in {readTime.TotalSeconds:F2} s ({table.Count / readTime.TotalSeconds:F0} rows/s)");

            stopwatch.Restart();
            var result = FacialAnalysis.Analyze(table);
            var analyseTime = stopwatch.Elapsed;
            stopwatch.Restart();
            FacialAnalysis.Analyze(table);
            var warmTime = stopwatch.Elapsed;
            output.WriteLine($"analyse: {result.PeakRows.Length} peaks, {result.EmotionPeaks.Count} emotion peaks in {analyseTime.TotalMilliseconds:F0} ms (first call, JIT included), {warmTime.TotalMilliseconds:F0} ms warm");
            output.WriteLine($"managed peak memory: {GC.GetTotalMemory(false) / 1048576.0:F0} MiB now, process working set {Environment.WorkingSet / 1048576.0:F0} MiB");

            await RunReferenceAsync(csv, result, output, cancellationToken);
            return 0;
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    private static async Task RunReferenceAsync(string csv, FacialAnalysisResult ours, TextWriter output, CancellationToken cancellationToken)
    {
        const string script = """
            import sys, time
            import pandas as pd
            from scipy.signal import find_peaks
            t = time.perf_counter()
            df = pd.read_csv(sys.argv[1]); df.columns = [c.strip() for c in df.columns]
            t_read = time.perf_counter() - t
            t = time.perf_counter()
            rc = [c for c in df.columns if c.endswith('_r')]
            df['overall_intensity'] = df[rc].sum(axis=1)
            peaks, _ = find_peaks(df['overall_intensity'], height=0.8, distance=15)
            n = 0
            for p in peaks:
                row = df.iloc[p]
                n += sum(1 for c in ('AU06_c', 'AU12_c', 'AU14_c') if row[c] == 1)
            t_an = time.perf_counter() - t
            print(f"{t_read:.3f} {t_an:.3f} {len(peaks)}")
            """;
        var start = new ProcessStartInfo("python3") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add(script);
        start.ArgumentList.Add(csv);
        try
        {
            using var process = Process.Start(start)!;
            var stdout = await process.StandardOutput.ReadToEndAsync(cancellationToken);
            await process.WaitForExitAsync(cancellationToken);
            var parts = stdout.Trim().Split(' ');
            if (process.ExitCode != 0 || parts.Length != 3)
            {
                output.WriteLine("reference (pandas+scipy): not available (python3 with pandas and scipy needed)");
                return;
            }

            output.WriteLine($"reference (pandas+scipy): read {parts[0]} s, summed intensity + find_peaks + rule lookups {parts[1]} s, {parts[2]} peaks (ours {ours.PeakRows.Length})");
        }
        catch (System.ComponentModel.Win32Exception)
        {
            output.WriteLine("reference (pandas+scipy): python3 not found");
        }
    }
}
