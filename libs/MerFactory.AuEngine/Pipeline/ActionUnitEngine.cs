using MerFactory.AuEngine.Models;
using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using System.Threading.Channels;
using MerFactory.Compute;
using MerFactory.AuEngine.Alignment;
using MerFactory.AuEngine.Detection;
using MerFactory.AuEngine.Landmarks;
using MerFactory.AuEngine.Features;
using MerFactory.AuEngine.Prediction;
using OpenCvSharp;

namespace MerFactory.AuEngine.Pipeline;

/// <summary>
/// OpenFace-compatible facial Action Units without OpenFace: faces and landmarks from an <see cref="ILandmarkSource"/>,
/// then PDM fit, 112x112 alignment, FHOG, OpenFace's linear AU models, running medians and offline post-processing.
/// Videos are streamed (decode ‖ per-frame features on the other cores, results re-ordered), never held in memory.
/// </summary>
public sealed class ActionUnitEngine : IDisposable
{
    private readonly AuEngineOptions _options;
    private readonly Func<ILandmarkSource> _landmarkSourceFactory;
    private readonly ConcurrentBag<ILandmarkSource> _sources = [];
    private readonly ConcurrentBag<ILandmarkSource> _allSources = [];
    private readonly FaceFeatureExtractor _extractor;
    private readonly AuModelSet _videoModels;
    private readonly AuModelSet _imageModels;

    private ActionUnitEngine(AuEngineOptions options, Func<ILandmarkSource> landmarkSourceFactory,
        FaceFeatureExtractor extractor, AuModelSet videoModels, AuModelSet imageModels)
    {
        _options = options;
        _landmarkSourceFactory = landmarkSourceFactory;
        _extractor = extractor;
        _videoModels = videoModels;
        _imageModels = imageModels;
    }

    /// <summary>Detector input size used when no <see cref="FaceDetectionOptions"/> are given: faces of about 1/16 of the frame width stay findable.</summary>
    public const int DefaultMaxDetectionSide = 320;

    /// <summary>How each compiled model was obtained at start (loaded, compiled, rebuilt and why), for the host to log.</summary>
    public IReadOnlyList<CompiledModelNote> CompiledModels { get; private init; } = [];

    /// <summary>Intensity columns (AU01_r … AU45_r without the suffix), in output order.</summary>
    public IReadOnlyList<string> IntensityNames => _videoModels.IntensityNames;

    /// <summary>Presence columns (AU01_c … AU45_c without the suffix), in output order.</summary>
    public IReadOnlyList<string> PresenceNames => _videoModels.PresenceNames;

    /// <summary>
    /// Loads every model named by <paramref name="models"/>: OpenFace's AU models, PDM and triangulation, the dlib
    /// landmark model and the face detector (YuNet, or the Haar cascade when YuNet is not installed).
    /// Without <paramref name="detection"/> options the detector sees frames shrunk to <see cref="DefaultMaxDetectionSide"/>
    /// pixels (its cost grows with pixels; landmarks and AUs always use the full frame).
    /// </summary>
    /// <exception cref="ModelNotFoundException">A model is missing (the message names the install command).</exception>
    /// <exception cref="CorruptModelException">A model file cannot be read.</exception>
    public static ActionUnitEngine Create(AuModelOptions models, AuEngineOptions? options = null, FaceDetectionOptions? detection = null)
    {
        ArgumentNullException.ThrowIfNull(models);
        options ??= new AuEngineOptions();
        detection ??= new FaceDetectionOptions { MaxDetectionSide = DefaultMaxDetectionSide };
        var landmarkPath = options.Landmarks == LandmarkMethod.Clnf ? models.ResolvedClnfModelPath : models.ResolvedLandmarkModelPath;
        if (!File.Exists(landmarkPath))
            throw new ModelNotFoundException(options.Landmarks == LandmarkMethod.Clnf ? "OpenFace CLNF landmark model" : "dlib 68-point landmark model", landmarkPath);
        // Start-up is loading: the landmark model, the face detector (OpenCV's native library and the ONNX net) and the
        // AU regressors load side by side; the detector made here is the first worker's, not thrown away.
        var landmarksLoad = options.Landmarks == LandmarkMethod.Clnf
            ? Task.Run<object>(() => Clnf.ClnfModel.LoadCompiled(landmarkPath, models.CompiledPathFor(Clnf.ClnfModel.CompiledKind, landmarkPath)))
            : Task.Run<object>(() => ShapePredictor.LoadCompiled(landmarkPath, models.CompiledPathFor(ShapePredictor.CompiledKind, landmarkPath)));
        // The detector is the engine's first OpenCV use: FaceDetectorFactory applies OpenCvSetup first, on this task.
        var detectorLoad = Task.Run(() => FaceDetectorFactory.Create(models, detection));
        try
        {
            var core = LoadOpenFaceModels(models, options.AlignOnModelShape);
            var firstDetector = detectorLoad.GetAwaiter().GetResult();
            var landmarks = landmarksLoad.GetAwaiter().GetResult();
            Func<IFaceDetector, ILandmarkSource> sourceWith = landmarks is CompiledModelResult<Clnf.ClnfModel> clnf
                ? detector => new Clnf.ClnfLandmarkSource(detector, clnf.Model)
                : detector => new DetectorLandmarkSource(detector, ((CompiledModelResult<ShapePredictor>)landmarks).Model);
            var note = landmarks switch
            {
                CompiledModelResult<Clnf.ClnfModel> c => new CompiledModelNote(Clnf.ClnfModel.CompiledKind, c.Outcome, c.CompiledPath, c.Reason),
                CompiledModelResult<ShapePredictor> d => new CompiledModelNote(ShapePredictor.CompiledKind, d.Outcome, d.CompiledPath, d.Reason),
                _ => null,
            };
            var engine = new ActionUnitEngine(options, () => sourceWith(FaceDetectorFactory.Create(models, detection)), core.Extractor, core.Video, core.Image)
                { CompiledModels = note is null ? [] : [note] };
            engine.ReturnSource(engine.Adopt(sourceWith(firstDetector)));
            return engine;
        }
        catch
        {
            landmarksLoad.ContinueWith(t => _ = t.Exception, TaskScheduler.Default);
            detectorLoad.ContinueWith(t => { if (t.IsCompletedSuccessfully) t.Result.Dispose(); else _ = t.Exception; }, TaskScheduler.Default);
            throw;
        }
    }

    /// <summary>Loads the OpenFace models; faces and landmarks come from <paramref name="landmarkSourceFactory"/> (one instance per worker).</summary>
    /// <exception cref="ModelNotFoundException">A model is missing (the message names the install command).</exception>
    /// <exception cref="CorruptModelException">A model file cannot be read.</exception>
    public static ActionUnitEngine Create(AuModelOptions models, Func<ILandmarkSource> landmarkSourceFactory, AuEngineOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(models);
        ArgumentNullException.ThrowIfNull(landmarkSourceFactory);
        OpenCvSetup.EnsureConfigured();
        // Given landmarks (e.g. OpenFace's own, already on the face model) are aligned on as they are.
        var core = LoadOpenFaceModels(models, alignOnModelShape: false);
        return new ActionUnitEngine(options ?? new AuEngineOptions(), landmarkSourceFactory, core.Extractor, core.Video, core.Image);
    }

    private static (FaceFeatureExtractor Extractor, AuModelSet Video, AuModelSet Image) LoadOpenFaceModels(AuModelOptions models, bool alignOnModelShape)
    {
        var predictors = models.ResolvedAuPredictorsDirectory;
        string[] required = [models.ResolvedPdmPath, models.ResolvedTriangulationPath, Path.Combine(predictors, "AU_all_best.txt"), Path.Combine(predictors, "AU_all_static.txt")];
        var missing = required.Where(p => !File.Exists(p)).Select(p => new MissingModel("OpenFace model " + Path.GetFileName(p), p)).ToList();
        if (missing.Count > 0) throw new ModelNotFoundException(missing);
        var pdm = PointDistributionModel.Load(required[0]);
        var aligner = new FaceAligner(pdm, FaceAligner.LoadTriangulation(required[1]));
        var extractor = new FaceFeatureExtractor(pdm, aligner, alignOnModelShape);
        // The two sets are independent files: read them side by side.
        var videoLoad = Task.Run(() => AuModelSet.Load(required[2], extractor.FeatureLength));
        var image = AuModelSet.Load(required[3], extractor.FeatureLength);
        AuModelSet video;
        try
        {
            video = videoLoad.GetAwaiter().GetResult();
        }
        catch (AggregateException e) when (e.InnerException is not null)
        {
            throw e.InnerException;
        }
        if (!video.IntensityNames.SequenceEqual(image.IntensityNames) || !video.PresenceNames.SequenceEqual(image.PresenceNames))
            throw new CorruptModelException(predictors, "the video and image model lists name different AUs");
        return (extractor, video, image);
    }

    /// <summary>
    /// Streams a video and returns one row per analysed frame (main face) or per tracked face and frame (all faces).
    /// Rows come after the whole video is read, because OpenFace's person calibration uses every frame.
    /// </summary>
    public async IAsyncEnumerable<AuFrameResult> AnalyzeVideoAsync(string path, AuRunOptions? options = null,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        using var video = OpenVideo(path, _options);
        await foreach (var row in AnalyzeVideoAsync(video, options, cancellationToken).ConfigureAwait(false)) yield return row;
    }

    /// <summary>
    /// Opens a video for <see cref="AnalyzeVideoAsync(OpenedVideo, AuRunOptions?, CancellationToken)"/> before the
    /// engine is at hand: its decoder (the ffmpeg program) starts and links its libraries while the models still load.
    /// <paramref name="options"/> are the engine's (the decoder it uses).
    /// </summary>
    /// <exception cref="FileNotFoundException">No such file.</exception>
    /// <exception cref="InvalidDataException">The file is not a readable video.</exception>
    public static OpenedVideo OpenVideo(string path, AuEngineOptions? options = null)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"{path}: video not found", path);
        // The decoder probe is an OpenCV call: the native settings come first.
        OpenCvSetup.EnsureConfigured();
        return new OpenedVideo(path, VideoFrameReader.Open(path, options ?? new AuEngineOptions()));
    }

    /// <summary><see cref="AnalyzeVideoAsync(string, AuRunOptions?, CancellationToken)"/> of a video opened ahead (read once; the caller disposes it).</summary>
    public IAsyncEnumerable<AuFrameResult> AnalyzeVideoAsync(OpenedVideo video, AuRunOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(video);
        options ??= new AuRunOptions();
        if (options.SampleFps is <= 0) throw new ArgumentOutOfRangeException(nameof(options), "SampleFps must be positive");
        return AnalyzeFramesAsync(video.Path, video.TakeReader(), options, cancellationToken);
    }

    private async IAsyncEnumerable<AuFrameResult> AnalyzeFramesAsync(string path, VideoFrameReader capture, AuRunOptions options,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var fps = capture.Fps;

        var workers = Math.Max(1, _options.MaxDegreeOfParallelism);
        var channel = Channel.CreateBounded<Task<IReadOnlyList<FrameWork>>>(new BoundedChannelOptions(workers) { SingleReader = true, SingleWriter = true });
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        // One face tracked frame by frame (OpenFace's way) when the landmark source can; landmarks are then found in
        // decode order on the producer and only the features run in parallel.
        var tracker = options.AllFaces ? null : RentTracker();
        tracker?.StartVideo();
        var producer = Task.Run(() => ProduceAsync(capture, fps, options, tracker, channel.Writer, stop.Token), stop.Token);

        var state = new VideoAnalysis(this, options);
        var framesRead = 0;
        try
        {
            await foreach (var pending in channel.Reader.ReadAllAsync(stop.Token).ConfigureAwait(false))
            {
                foreach (var work in await pending.ConfigureAwait(false))
                {
                    state.Add(work);
                    framesRead++;
                }
            }
            await producer.ConfigureAwait(false);
        }
        finally
        {
            await stop.CancelAsync().ConfigureAwait(false);
            // Let in-flight work finish so its frames are released before the capture is disposed.
            try { await producer.ConfigureAwait(false); } catch (Exception) { /* surfaced through the channel already */ }
            while (channel.Reader.TryRead(out var leftover))
            {
                try { await leftover.ConfigureAwait(false); } catch (Exception) { /* already failing or cancelled */ }
            }
            if (tracker is not null) ReturnSource(tracker);
        }

        if (framesRead == 0) throw new InvalidDataException($"{path}: the video has no decodable frames");
        foreach (var row in state.Finish()) yield return row;
    }

    private async Task ProduceAsync(VideoFrameReader capture, double fps, AuRunOptions options, IVideoLandmarkTracker? tracker,
        ChannelWriter<Task<IReadOnlyList<FrameWork>>> writer, CancellationToken ct)
    {
        // Decoding runs ahead on its own thread (a few frames, with the tracker's per-frame preparation) while this one
        // tracks landmarks in decode order.
        // Frames go to the workers in chunks of DetectionInterval: the first frame of a chunk is detected, the others
        // follow its boxes. Chunks run in parallel; the consumer reads them in order.
        var decoded = Channel.CreateBounded<DecodedFrame>(new BoundedChannelOptions(3) { SingleReader = true, SingleWriter = true });
        using var stopDecoding = CancellationTokenSource.CreateLinkedTokenSource(ct);
        Func<Mat, object?>? prepare = tracker is null ? null : tracker.Prepare;
        var decoding = Task.Run(() => DecodeAsync(capture, fps, options, prepare, decoded.Writer, stopDecoding.Token), stopDecoding.Token);
        var chunkSize = Math.Max(1, _options.DetectionInterval);
        var chunk = new List<VideoFrame>(chunkSize);
        try
        {
            await foreach (var (frame, index, timestamp, prepared) in decoded.Reader.ReadAllAsync(ct).ConfigureAwait(false))
            {
                IReadOnlyList<LocatedFace>? tracked;
                try
                {
                    tracked = tracker?.Track(frame, index, prepared);
                }
                catch
                {
                    frame.Dispose();
                    throw;
                }
                chunk.Add(new VideoFrame(frame, index, timestamp, tracked));
                if (chunk.Count == chunkSize)
                {
                    await SubmitAsync(chunk, options, writer, ct).ConfigureAwait(false);
                    chunk = new List<VideoFrame>(chunkSize);
                }
            }
            await decoding.ConfigureAwait(false);
            if (chunk.Count > 0) await SubmitAsync(chunk, options, writer, ct).ConfigureAwait(false);
            writer.TryComplete();
        }
        catch (Exception e)
        {
            foreach (var item in chunk) item.Frame.Dispose();
            await stopDecoding.CancelAsync().ConfigureAwait(false);
            try { await decoding.ConfigureAwait(false); } catch (Exception) { /* the first failure is the one reported */ }
            while (decoded.Reader.TryRead(out var left)) left.Frame.Dispose();
            writer.TryComplete(e);
            throw;
        }
    }

    /// <summary>Reads the frames to analyse (every frame, or <see cref="AuRunOptions.SampleFps"/> of them) into <paramref name="writer"/>.</summary>
    private static async Task DecodeAsync(VideoFrameReader capture, double fps, AuRunOptions options, Func<Mat, object?>? prepare,
        ChannelWriter<DecodedFrame> writer, CancellationToken ct)
    {
        try
        {
            var index = 0;
            var nextSampleTime = 0.0;
            while (!ct.IsCancellationRequested)
            {
                if (!capture.Grab()) break;
                var timestamp = fps > 0 ? index / fps : capture.PositionSeconds;
                var take = options.SampleFps is not { } sample || timestamp + 1e-6 >= nextSampleTime;
                if (take)
                {
                    if (options.SampleFps is { } s)
                        while (nextSampleTime <= timestamp + 1e-6) nextSampleTime += 1.0 / s;
                    var frame = new Mat();
                    if (!capture.Retrieve(frame))
                    {
                        frame.Dispose();
                        break;
                    }
                    try
                    {
                        await writer.WriteAsync(new DecodedFrame(frame, index, timestamp, prepare?.Invoke(frame)), ct).ConfigureAwait(false);
                    }
                    catch
                    {
                        frame.Dispose();
                        throw;
                    }
                }
                index++;
            }
            writer.TryComplete();
        }
        catch (Exception e)
        {
            writer.TryComplete(e);
            throw;
        }
    }

    /// <summary>A decoded frame and what the tracker prepared from it on the decoding thread.</summary>
    private sealed record DecodedFrame(Mat Frame, int Index, double Timestamp, object? Prepared);

    private async Task SubmitAsync(List<VideoFrame> chunk, AuRunOptions options,
        ChannelWriter<Task<IReadOnlyList<FrameWork>>> writer, CancellationToken ct)
    {
        var frames = chunk.ToArray();
        chunk.Clear();
        // Not cancellable once queued: the chunk owns its frames and releases them when it runs.
        var work = ComputeScheduler.Shared.RunAsync(() => AnalyseChunk(frames, options));
        await writer.WriteAsync(work, ct).ConfigureAwait(false);
    }

    /// <summary>A decoded frame and, when a tracker found them in decode order, its faces.</summary>
    private sealed record VideoFrame(Mat Frame, int Index, double Timestamp, IReadOnlyList<LocatedFace>? Tracked);

    internal sealed record FaceWork(LocatedFace Face, FaceFeatures Features);

    internal sealed record FrameWork(int Index, double Timestamp, IReadOnlyList<FaceWork> Faces, int Width, int Height);

    private IReadOnlyList<FrameWork> AnalyseChunk(VideoFrame[] frames, AuRunOptions options)
    {
        var source = RentSource();
        try
        {
            var results = new List<FrameWork>(frames.Length);
            IReadOnlyList<LocatedFace> previous = [];
            List<FaceWork> previousWork = [];
            for (var i = 0; i < frames.Length; i++)
            {
                var (frame, index, timestamp, tracked) = frames[i];
                var following = tracked is null && i > 0 && previous.Count > 0;
                var found = tracked ?? (following ? source.Follow(frame, index, previous) : source.Detect(frame, index));
                var faces = SelectFaces(found, options);
                previous = faces;
                // A followed face (the same faces, in order) starts its PDM fit from its fit in the previous frame.
                var work = faces.Select((f, k) => new FaceWork(f, _extractor.Extract(frame, f.Landmarks, f.ModelFit,
                    following && k < previousWork.Count && FaceTracker.Iou(previousWork[k].Face.Box, f.Box) > 0.5
                        ? new PdmFit(previousWork[k].Features.Pose, previousWork[k].Features.LocalParams) : null))).ToList();
                previousWork = work;
                results.Add(new FrameWork(index, timestamp, work, frame.Cols, frame.Rows));
            }
            return results;
        }
        finally
        {
            ReturnSource(source);
            foreach (var item in frames) item.Frame.Dispose();
        }
    }

    private ILandmarkSource RentSource() => _sources.TryTake(out var source) ? source : Adopt(_landmarkSourceFactory());

    /// <summary>Registers a new worker's landmark source so that <see cref="Dispose"/> releases it.</summary>
    private ILandmarkSource Adopt(ILandmarkSource source)
    {
        _allSources.Add(source);
        return source;
    }

    private void ReturnSource(ILandmarkSource source) => _sources.Add(source);

    private IVideoLandmarkTracker? RentTracker()
    {
        var source = RentSource();
        if (source is IVideoLandmarkTracker tracker) return tracker;
        ReturnSource(source);
        return null;
    }

    private static List<LocatedFace> SelectFaces(IReadOnlyList<LocatedFace> found, AuRunOptions options)
    {
        var faces = found.Where(f => f.Landmarks.Length == 136).OrderByDescending(f => f.Area).ToList();
        return options.AllFaces ? faces : faces.Take(1).ToList();
    }

    private IReadOnlyList<LocatedFace> DetectFaces(Mat frame, int index, AuRunOptions options)
    {
        var source = RentSource();
        try
        {
            return SelectFaces(source.Detect(frame, index), options);
        }
        finally
        {
            ReturnSource(source);
        }
    }

    /// <summary>
    /// Analyses a still image with OpenFace's static models: one row per face (the largest only unless
    /// <see cref="AuRunOptions.AllFaces"/>), or a result with <see cref="AuImageResult.NoFaceFound"/>.
    /// </summary>
    public AuImageResult AnalyzeImage(string path, AuRunOptions? options = null)
    {
        options ??= new AuRunOptions();
        if (!File.Exists(path)) throw new FileNotFoundException($"{path}: image not found", path);
        using var image = Cv2.ImRead(path, ImreadModes.Color);
        if (image.Empty()) throw new InvalidDataException($"{path}: not a readable image");
        var faces = DetectFaces(image, 0, options);
        var rows = new List<AuFrameResult>();
        for (var i = 0; i < faces.Count; i++)
        {
            var features = _extractor.Extract(image, faces[i].Landmarks, faces[i].ModelFit);
            var (intensities, presence) = AuTrackAnalyser.PredictStatic(_imageModels, features.Hog, features.Geometry);
            rows.Add(new AuFrameResult(1, i, 0, faces[i].Confidence, true, intensities, presence)
            {
                Landmarks = options.IncludeLandmarks ? faces[i].Landmarks : null,
                Pose = options.IncludeLandmarks ? features.Pose : null,
                HeadPose = options.IncludeLandmarks ? _extractor.HeadPoseOf(features, faces[i].Landmarks, image.Cols, image.Rows) : null,
            });
        }
        return new AuImageResult(path, rows);
    }

    /// <summary>
    /// Writes rows as an OpenFace CSV (frame, face_id, timestamp, confidence, success, [pose_T*, pose_R*, x_0…x_67,
    /// y_0…y_67 with <paramref name="landmarkColumns"/>; rows must then come from a run with
    /// <see cref="AuRunOptions.IncludeLandmarks"/>], AUxx_r…, AUxx_c…).
    /// </summary>
    public Task<int> WriteOpenFaceCsvAsync(IAsyncEnumerable<AuFrameResult> rows, TextWriter writer, CancellationToken cancellationToken = default,
        bool landmarkColumns = false) =>
        OpenFaceCsvWriter.WriteAsync(rows, IntensityNames, PresenceNames, writer, cancellationToken, landmarkColumns);

    public void Dispose()
    {
        while (_allSources.TryTake(out var source)) source.Dispose();
        _sources.Clear();
    }

    /// <summary>The sequential part of a video run: tracking, running medians, scores; post-processing at the end.</summary>
    private sealed class VideoAnalysis(ActionUnitEngine engine, AuRunOptions options)
    {
        private readonly FaceTracker _tracker = new();
        private readonly Dictionary<int, TrackState> _tracks = [];
        private int _sequence;

        private sealed class TrackState(AuTrackAnalyser analyser)
        {
            public AuTrackAnalyser Analyser { get; } = analyser;
            public List<RowInfo> Rows { get; } = [];
            public bool Retired { get; set; }
        }

        private sealed record RowInfo(int Frame, double Timestamp, double Confidence, bool Success, double[]? Landmarks, PdmGlobalParams? Pose, HeadPose? HeadPose = null);

        private TrackState NewTrack() =>
            new(new AuTrackAnalyser(engine._videoModels, FaceFeatureExtractor.HogLength, engine._extractor.GeometryLength));

        public void Add(FrameWork work)
        {
            var sequence = _sequence++;
            if (!options.AllFaces)
            {
                if (!_tracks.TryGetValue(0, out var main)) _tracks[0] = main = NewTrack();
                AddToTrack(main, work, work.Faces.Count > 0 ? work.Faces[0] : null);
                return;
            }

            var ids = _tracker.Assign(work.Faces.Select(f => f.Face.Box).ToList(), sequence);
            for (var i = 0; i < ids.Length; i++)
            {
                if (!_tracks.TryGetValue(ids[i], out var track)) _tracks[ids[i]] = track = NewTrack();
                AddToTrack(track, work, work.Faces[i]);
            }
            foreach (var (id, track) in _tracks)
            {
                if (track.Retired || ids.Contains(id)) continue;
                var lastSuccess = track.Rows.FindLastIndex(r => r.Success);
                if (track.Rows.Count - 1 - lastSuccess >= _tracker.MaxMissedFrames) track.Retired = true;
                else AddToTrack(track, work, null);
            }
        }

        private void AddToTrack(TrackState track, FrameWork work, FaceWork? face)
        {
            if (face is null)
            {
                track.Analyser.AddFrame([], [], success: false);
                track.Rows.Add(new RowInfo(work.Index + 1, work.Timestamp, 0, false, null, null));
                return;
            }
            track.Analyser.AddFrame(face.Features.Hog, face.Features.Geometry, success: true);
            track.Rows.Add(new RowInfo(work.Index + 1, work.Timestamp, face.Face.Confidence, true,
                options.IncludeLandmarks ? face.Face.Landmarks : null, options.IncludeLandmarks ? face.Features.Pose : null,
                options.IncludeLandmarks ? engine._extractor.HeadPoseOf(face.Features, face.Face.Landmarks, work.Width, work.Height) : null));
        }

        public IEnumerable<AuFrameResult> Finish()
        {
            var rows = new List<AuFrameResult>();
            foreach (var (id, track) in _tracks)
            {
                var predictions = track.Analyser.Finish();
                // Rows after a track's last sighting are padding for its smoothing window, not output.
                var last = options.AllFaces ? track.Rows.FindLastIndex(r => r.Success) : track.Rows.Count - 1;
                for (var f = 0; f <= last; f++)
                {
                    var info = track.Rows[f];
                    rows.Add(new AuFrameResult(info.Frame, id, info.Timestamp, info.Confidence, info.Success,
                        predictions.Intensities[f], predictions.Presence[f]) { Landmarks = info.Landmarks, Pose = info.Pose, HeadPose = info.HeadPose });
                }
            }
            return rows.OrderBy(r => r.Frame).ThenBy(r => r.FaceId);
        }
    }
}
