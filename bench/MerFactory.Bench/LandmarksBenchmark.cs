using System.Diagnostics;
using System.Globalization;
using MerFactory.AuEngine.Detection;
using MerFactory.AuEngine.Landmarks;
using MerFactory.AuEngine.Models;
using MerFactory.Testing;
using OpenCvSharp;

namespace MerFactory.Bench;

/// <summary>
/// Landmark model load time, per-face landmark time and per-frame detection time on 640x480 frames of
/// default.wmv (YuNet and the Haar fallback). Args: [frames] (default 100).
/// </summary>
public sealed class LandmarksBenchmark : IBenchmark
{
    public string Name => "landmarks";

    public string Description => "dlib 68-point model load, per-face landmarks, YuNet/Haar detection per 640x480 frame";

    public Task<int> RunAsync(string[] args, TextWriter output, CancellationToken cancellationToken)
    {
        var frameCount = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 100;
        var models = new AuModelOptions();

        output.WriteLine($"machine: {Environment.ProcessorCount} cores, load average {LoadAverage()} (wall times inflate under load; CPU times do not)");
        var memoryBefore = GC.GetTotalMemory(forceFullCollection: true);
        var clock = Stopwatch.StartNew();
        var cpu = CpuClock.Start();
        var predictor = ShapePredictor.Load(models.ResolvedLandmarkModelPath);
        var loadSeconds = clock.Elapsed.TotalSeconds;
        var loadCpuSeconds = cpu.Elapsed.TotalSeconds;
        var modelBytes = GC.GetTotalMemory(forceFullCollection: true) - memoryBefore;
        output.WriteLine($"landmark model: {new FileInfo(models.ResolvedLandmarkModelPath).Length / 1e6:F1} MB file loaded in {loadSeconds:F2} s wall, {loadCpuSeconds:F2} s CPU " +
                         $"({predictor.CascadeCount} cascades x {predictor.TreesPerCascade} trees, {modelBytes / 1048576.0:F0} MiB managed)");

        var frames = ReadFrames(SharedData.DataPath("media", "openface_samples", "default.wmv"), frameCount, cancellationToken);
        output.WriteLine($"frames: {frames.Count} of default.wmv at {frames[0].Cols}x{frames[0].Rows}");

        using var yunet = YuNetFaceDetector.Create(SharedData.DataPath("models", AuModelOptions.YuNetFileName));
        using var yunetHalf = YuNetFaceDetector.Create(SharedData.DataPath("models", AuModelOptions.YuNetFileName), new FaceDetectionOptions { MaxDetectionSide = 320 });
        using var haar = HaarFaceDetector.Create(models.ResolvedHaarCascadePath);
        var yunetFaces = TimeDetection(yunet, frames, output, "");
        TimeDetection(yunetHalf, frames, output, " (MaxDetectionSide=320)");
        TimeDetection(haar, frames, output, "");

        // Landmarks on each frame's largest YuNet face; repeated so the figure is not dominated by timer resolution.
        var work = frames.Zip(yunetFaces).Where(p => p.Second is not null).Select(p => (Frame: p.First, Box: p.Second!.LandmarkBox)).ToList();
        var points = new Point2f[predictor.PartCount];
        foreach (var (frame, box) in work) predictor.Predict(frame, box, points); // warm-up (JIT)
        const int repeats = 20;
        clock.Restart();
        cpu = CpuClock.Start();
        for (var r = 0; r < repeats; r++)
            foreach (var (frame, box) in work) predictor.Predict(frame, box, points);
        var predictions = repeats * work.Count;
        output.WriteLine($"landmarks: {clock.Elapsed.TotalMilliseconds / predictions:F3} ms wall, {cpu.Elapsed.TotalMilliseconds / predictions:F3} ms CPU per face ({predictions} predictions, one thread)");

        foreach (var frame in frames) frame.Dispose();
        return Task.FromResult(0);
    }

    private static DetectedFace?[] TimeDetection(IFaceDetector detector, List<Mat> frames, TextWriter output, string variant)
    {
        detector.Detect(frames[0]); // warm-up: native network creation for this frame size
        var found = new DetectedFace?[frames.Count];
        var clock = Stopwatch.StartNew();
        var cpu = CpuClock.Start();
        for (var i = 0; i < frames.Count; i++)
        {
            var faces = detector.Detect(frames[i]);
            found[i] = faces.Count > 0 ? faces[0] : null;
        }

        output.WriteLine($"{detector.Name}{variant} detection: {clock.Elapsed.TotalMilliseconds / frames.Count:F2} ms wall, " +
                         $"{cpu.Elapsed.TotalMilliseconds / frames.Count:F2} ms CPU (all threads) per frame, face found in {found.Count(f => f is not null)}/{frames.Count} frames");
        return found;
    }

    private static string LoadAverage() =>
        File.Exists("/proc/loadavg") ? File.ReadAllText("/proc/loadavg").Split(' ')[0] : "n/a";

    /// <summary>CPU time of this process since Start (all threads).</summary>
    private readonly struct CpuClock(TimeSpan start)
    {
        public static CpuClock Start() => new(Process.GetCurrentProcess().TotalProcessorTime);

        public TimeSpan Elapsed => Process.GetCurrentProcess().TotalProcessorTime - start;
    }

    private static List<Mat> ReadFrames(string path, int count, CancellationToken cancellationToken)
    {
        using var capture = new VideoCapture(path);
        if (!capture.IsOpened()) throw new IOException($"cannot open {path}");
        var frames = new List<Mat>();
        while (frames.Count < count && !cancellationToken.IsCancellationRequested)
        {
            var frame = new Mat();
            if (!capture.Read(frame) || frame.Empty())
            {
                frame.Dispose();
                break;
            }

            frames.Add(frame);
        }

        return frames;
    }
}
