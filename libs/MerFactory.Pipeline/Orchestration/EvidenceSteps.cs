using MerFactory.Contracts;
using MerFactory.Contracts.Au;
using MerFactory.Contracts.Llm;
using MerFactory.Contracts.Media;
using MerFactory.Contracts.Speech;

namespace MerFactory.Pipeline.Orchestration;

/// <summary>
/// The evidence steps of one file — AU rows and FACS analysis, the WAV, the transcript, sampled frames — and the
/// evidence they give the LLM steps. Results are the steps' typed responses; the file's folder gets copies of the
/// artifacts MER-Factory's layout has there.
/// </summary>
public sealed class EvidenceSteps(FileSteps steps)
{
    /// <summary>Most frames sent as evidence in place of a video the model cannot take.</summary>
    public const int MaxEvidenceFrames = 8;

    public FileRun Run => steps.Run;

    public async Task<FacsOutcome> FacialAnalysisAsync(bool isImage, CancellationToken cancellationToken)
    {
        var run = Run;
        var job = run.Job;
        var existing = run.FilePath(".csv");
        if (File.Exists(existing) && new FileInfo(existing).Length > 0)
            return await AnalyseExistingCsvAsync(existing, cancellationToken).ConfigureAwait(false);
        var au = (await steps.RunAsync(new ExtractActionUnits(job.JobId, run.Id, run.Source, isImage, job.Options.AuSampleFps, AllFaces: false), cancellationToken).ConfigureAwait(false)).Response;
        await run.Output.CopyArtifactAsync(job.Store, au.Csv, run.FilePath(".csv"), cancellationToken).ConfigureAwait(false);
        if (au.NoFaceFound) run.Note("no face found: AU rows are marked success=0");
        var facs = await steps.RunAsync(new AnalyzeFacialExpression(job.JobId, run.Id, au.Csv, run.RecordedSourcePath, job.Options.Threshold, job.Options.PeakDistance), cancellationToken).ConfigureAwait(false);
        return new FacsOutcome(facs.Response, au.Csv, au.NoFaceFound);
    }

    /// <summary>
    /// An AU CSV already at OUT/{id}/{id}.csv (OpenFace's, or an earlier run's) is analysed as it is and never
    /// overwritten, as MER-Factory skips OpenFace when its CSV exists.
    /// </summary>
    private async Task<FacsOutcome> AnalyseExistingCsvAsync(string path, CancellationToken cancellationToken)
    {
        var run = Run;
        var job = run.Job;
        // A copy goes to the store under its content hash (steps read artifacts from there; a re-run stores nothing
        // new); the file itself is only read.
        var bytes = await File.ReadAllBytesAsync(path, cancellationToken).ConfigureAwait(false);
        var sha256 = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(bytes));
        var info = await job.Store.PutAsync($"provided-au/{sha256}/au.csv", new MemoryStream(bytes), "text/csv", cancellationToken).ConfigureAwait(false);
        var csv = new ObjectReference(job.Store.Bucket, info.Key, info.Size, sha256, "text/csv");
        run.Record(new StepRecord(StepNames.Of<ExtractActionUnits>(), "reused", 0, Note: "from " + path));
        var facs = await steps.RunAsync(new AnalyzeFacialExpression(job.JobId, run.Id, csv, run.RecordedSourcePath, job.Options.Threshold, job.Options.PeakDistance), cancellationToken).ConfigureAwait(false);
        return new FacsOutcome(facs.Response, csv, false);
    }

    public async Task<ObjectReference?> ExtractWavAsync(bool copyToOutput, CancellationToken cancellationToken)
    {
        var run = Run;
        var audio = (await steps.RunAsync(new ExtractAudio(run.Job.JobId, run.Id, run.Source), cancellationToken).ConfigureAwait(false)).Response;
        if (audio.Wav is not { } wav) return null;
        if (copyToOutput) await run.Output.CopyArtifactAsync(run.Job.Store, wav, run.FilePath(".wav"), cancellationToken).ConfigureAwait(false);
        return wav;
    }

    public async Task<AudioTranscribed?> TranscriptAfterAsync(Task<ObjectReference?> wavTask, CancellationToken cancellationToken)
    {
        var wav = await wavTask.ConfigureAwait(false);
        return wav is null ? null : await TranscribeAsync(wav, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Our own transcript and prosody: the <c>{id}_transcript.json</c> sidecar and evidence for the LLM steps.</summary>
    public async Task<AudioTranscribed?> TranscribeAsync(ObjectReference? wav, CancellationToken cancellationToken)
    {
        if (wav is null) return null;
        var run = Run;
        var options = run.Job.Options;
        var transcript = (await steps.RunAsync(new TranscribeAudio(run.Job.JobId, run.Id, wav, options.Language, options.SpeechEngine), cancellationToken).ConfigureAwait(false)).Response;
        await run.Output.CopyArtifactAsync(run.Job.Store, transcript.Transcript, run.FilePath("_transcript.json"), cancellationToken).ConfigureAwait(false);
        return transcript;
    }

    public async Task<IReadOnlyList<ObjectReference>> SampleFramesAsync(CancellationToken cancellationToken)
    {
        var run = Run;
        var sampled = (await steps.RunAsync(new SampleFrames(run.Job.JobId, run.Id, run.Source, run.Job.Options.FrameSampleFps), cancellationToken).ConfigureAwait(false)).Response;
        return [.. EvenlySpaced(sampled.Frames, MaxEvidenceFrames).Select(f => f.Frame)];
    }

    private static IEnumerable<T> EvenlySpaced<T>(IReadOnlyList<T> items, int count)
    {
        if (items.Count <= count) return items;
        return Enumerable.Range(0, count).Select(i => items[(int)Math.Round(i * (items.Count - 1) / (double)(count - 1))]);
    }

    /// <summary>What can stand in for a modality the model lacks: the transcript, prosody and sampled frames.</summary>
    public static LlmEvidenceRefs? Evidence(AudioTranscribed? transcript, IReadOnlyList<ObjectReference>? frames = null)
    {
        var text = transcript is { Status: SpeechOutcome.Transcribed } ? transcript.Text : transcript is null ? null : "(no speech detected)";
        var prosody = transcript?.ProsodySummary;
        return text is null && prosody is null && frames is null ? null : new LlmEvidenceRefs(frames, text, prosody);
    }
}

/// <summary>The FACS analysis of a file, the AU CSV it was made from, and whether any face was found.</summary>
public sealed record FacsOutcome(FacialExpressionAnalyzed Result, ObjectReference Csv, bool NoFace);
