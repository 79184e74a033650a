using System.Globalization;
using System.Text;
using System.Text.Json;
using CsvHelper;
using MerFactory.Export.Text;

namespace MerFactory.Export.Writers;

/// <summary>
/// Emotion-LLaMA's MERR annotation files (spec §8.5), shaped to what its loader (<c>first_face.py</c>) reads:
/// <list type="bullet">
/// <item><c>MERR_{grain}.txt</c>: lines <c>"{video_name} {frame_count} {label}"</c>, read with
/// <c>line.strip().split(' ')</c>; the label must be one of <see cref="EmotionLlamaText.Labels"/>
/// (<c>emo2idx[t[2]]</c>), so names with whitespace and other labels stay out of the TXT (reported).</item>
/// <item><c>MERR_{grain}.json</c>: an object keyed by video name; coarse entries carry <c>caption</c>, fine ones
/// <c>smp_reason_caption</c> and the transcript in <c>text</c>.</item>
/// <item><c>transcription_en_all.csv</c> (<c>name,sentence</c>): the loader looks up every TXT name there.</item>
/// </list>
/// </summary>
internal sealed class EmotionLlamaWriter : IExportWriter
{
    private const int FlushThreshold = 32 * 1024;
    private bool _completed;
    public const string TranscriptionFileName = "transcription_en_all.csv";

    private readonly bool _fine;
    private readonly ExportReport _report;
    private readonly PendingFile _txtFile;
    private readonly StreamWriter _txt;
    private readonly PendingFile _jsonFile;
    private readonly Utf8JsonWriter _json;
    private readonly PendingFile _transcriptFile;
    private readonly CsvWriter _transcripts;
    private readonly HashSet<string> _names = new(StringComparer.Ordinal);
    private int _txtLines, _txtSkipped, _jsonEntries, _jsonSkipped, _withoutFrames, _withoutTranscript;

    public EmotionLlamaWriter(string exportPath, bool fineGrained, ExportReport report)
    {
        _fine = fineGrained;
        _report = report;
        var stem = fineGrained ? "MERR_fine_grained" : "MERR_coarse_grained";
        var utf8 = new UTF8Encoding(false);
        _txtFile = new PendingFile(Path.Combine(exportPath, stem + ".txt"));
        _txt = new StreamWriter(_txtFile.Stream, utf8, 64 * 1024, leaveOpen: true) { NewLine = "\n" };
        _jsonFile = new PendingFile(Path.Combine(exportPath, stem + ".json"));
        _json = new Utf8JsonWriter(_jsonFile.Stream, JsonText.WriterOptions(indented: true));
        _json.WriteStartObject();
        _transcriptFile = new PendingFile(Path.Combine(exportPath, TranscriptionFileName));
        _transcripts = CsvWriter.Create(_transcriptFile.Stream, CsvWriterOptions.Default with { NewLine = "\n" }, leaveOpen: true);
        _transcripts.WriteHeader(["name", "sentence"]);
    }

    private string Format => _fine ? "emotion-llama-fine" : "emotion-llama";

    public async ValueTask WriteAsync(ExportRecord record, CancellationToken cancellationToken)
    {
        // Emotion-LLaMA finds the video as {vis_root}/{video_name}.mp4|.avi, so the name is the source's stem.
        var name = Path.GetFileNameWithoutExtension(record.SourcePath) is { Length: > 0 } stem ? stem : record.Id;
        if (!_names.Add(name))
        {
            _report.LeaveOut(record.Id, record.Origin, $"{Format}: video name '{name}' already exported (duplicate stem); entries are keyed by name");
            _jsonSkipped++;
            _txtSkipped++;
            return;
        }

        var pseudoEmotion = EmotionLlamaText.PseudoEmotion(record.ChronologicalEmotionPeaks, record.OverallPeakFrameInfo);
        WriteJsonEntry(name, record, pseudoEmotion);

        if (record.FrameCount is null) _withoutFrames++;
        if (_fine && record.Transcript is null) _withoutTranscript++;

        var label = EmotionLlamaText.ToLabel(record.GroundTruthLabel) ?? EmotionLlamaText.ToLabel(pseudoEmotion);
        if (TextCleanup.HasWhitespace(name))
        {
            _report.LeaveOut(record.Id, record.Origin, $"{Format}: name '{name}' contains whitespace; Emotion-LLaMA splits TXT lines on spaces, so it is left out of the TXT (kept in the JSON)");
            _txtSkipped++;
        }
        else if (label is null)
        {
            var shown = record.GroundTruthLabel ?? pseudoEmotion;
            _report.LeaveOut(record.Id, record.Origin, $"{Format}: emotion '{shown}' is not an Emotion-LLaMA label ({string.Join(", ", EmotionLlamaText.Labels)}); left out of the TXT (kept in the JSON)");
            _txtSkipped++;
        }
        else
        {
            if (_txtLines > 0) await _txt.WriteAsync('\n');
            await _txt.WriteAsync($"{name} {(record.FrameCount ?? 0).ToString(CultureInfo.InvariantCulture)} {label}");
            _txtLines++;
            _transcripts.WriteField(name);
            _transcripts.WriteField(record.Transcript ?? "");
            await _transcripts.EndRecordAsync(cancellationToken);
        }

        if (_json.BytesPending > FlushThreshold) await _json.FlushAsync(cancellationToken);
    }

    private void WriteJsonEntry(string name, ExportRecord record, string pseudoEmotion)
    {
        _json.WriteStartObject(name);
        JsonText.WriteStringArray(_json, "AU_list", EmotionLlamaText.AuList(record));
        JsonText.WriteStringArray(_json, "visual_prior_list", EmotionLlamaText.VisualPriors(record.VisualExpression));
        JsonText.WriteStringArray(_json, "audio_prior_list", EmotionLlamaText.AudioPriors(record.AudioAnalysis));
        _json.WriteString("peak_index", record.OverallPeakFrameInfo?.FrameNumber?.ToString(CultureInfo.InvariantCulture) ?? "");
        JsonText.WriteStringArray(_json, "peak_AU_list", EmotionLlamaText.PeakAuList(record.OverallPeakFrameInfo));
        _json.WriteString("pseu_emotion", pseudoEmotion);
        if (_fine)
        {
            _json.WriteString("smp_reason_caption", record.FinalSummary);
            _json.WriteString("text", record.Transcript ?? "");
        }
        else
        {
            _json.WriteString("caption", record.FinalSummary);
        }
        _json.WriteEndObject();
        _jsonEntries++;
    }

    public async ValueTask<IReadOnlyList<ExportedFile>> CompleteAsync(CancellationToken cancellationToken)
    {
        if (_withoutFrames > 0)
            _report.Warn(null, _txtFile.FinalPath, $"{Format}: {_withoutFrames} record(s) have no AU CSV ({{id}}.csv); their frame count is 0");
        if (_withoutTranscript > 0)
            _report.Warn(null, _jsonFile.FinalPath, $"{Format}: {_withoutTranscript} record(s) have no transcript ({{id}}_transcript.json); their 'text' is empty");

        _json.WriteEndObject();
        await _json.FlushAsync(cancellationToken);
        await _txt.FlushAsync(cancellationToken);
        await _transcripts.FlushAsync(cancellationToken);
        await _transcripts.DisposeAsync();
        await _txt.DisposeAsync();
        await _json.DisposeAsync();
        await _txtFile.CommitAsync();
        await _jsonFile.CommitAsync();
        await _transcriptFile.CommitAsync();
        _completed = true;
        return
        [
            new ExportedFile(_txtFile.FinalPath, Format + "-txt", _txtLines, _txtSkipped),
            new ExportedFile(_jsonFile.FinalPath, Format + "-json", _jsonEntries, _jsonSkipped),
            new ExportedFile(_transcriptFile.FinalPath, Format + "-transcripts", _txtLines, _txtSkipped),
        ];
    }

    public async ValueTask DisposeAsync()
    {
        // After CompleteAsync everything is flushed, disposed and moved into place.
        if (_completed) return;
        await _transcripts.DisposeAsync();
        await _txt.DisposeAsync();
        await _json.DisposeAsync();
        await _txtFile.DisposeAsync();
        await _jsonFile.DisposeAsync();
        await _transcriptFile.DisposeAsync();
    }
}
