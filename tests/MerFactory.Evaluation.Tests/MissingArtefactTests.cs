using MerFactory.Evaluation.Evidence;
using MerFactory.Evaluation.Synthetic;

namespace MerFactory.Evaluation.Tests;

/// <summary>Acceptance 2: missing artefacts give null with a reason; no metric has a default.</summary>
public sealed class MissingArtefactTests
{
    private static RecordEvaluation EvaluateAfterRemoving(TempFolder folder, params string[] suffixes)
    {
        var record = new SyntheticDataset(5).WriteOne(folder.Path, 3);
        var path = Path.Combine(folder.Path, record.Id);
        foreach (var suffix in suffixes) File.Delete(Path.Combine(path, record.Id + suffix));
        return new RecordEvaluator().Evaluate(RecordFolderReader.Read(path)!);
    }

    [Fact]
    public void WithoutTheAuTableAuGroundingIsNullWithTheReason()
    {
        using var folder = new TempFolder();
        var result = EvaluateAfterRemoving(folder, ".csv");
        foreach (var metric in new[] { MetricNames.AuSupportRate, MetricNames.AuUnsupported, MetricNames.AuContradicted })
        {
            Assert.Null(result[metric]);
            Assert.Contains("no AU table", result.Reasons[metric], StringComparison.Ordinal);
        }
        Assert.NotNull(result[MetricNames.AuCuesCited]); // counting cited cues needs only the text
        Assert.Contains(result.Flags, f => f.Code == FlagCodes.MissingModality && f.Message.Contains("AU table", StringComparison.Ordinal));
    }

    [Fact]
    public void WithoutAudioSpeechMetricsAreNullAndSayTheClipHasNoAudio()
    {
        using var folder = new TempFolder();
        var record = new SyntheticDataset(5).WriteOne(folder.Path, 3);
        var path = Path.Combine(folder.Path, record.Id);
        File.Delete(Path.Combine(path, record.Id + "_transcript.json"));
        var media = Path.Combine(path, record.Id + "_media.json");
        File.WriteAllText(media, File.ReadAllText(media).Replace("\"HasAudio\": true", "\"HasAudio\": false", StringComparison.Ordinal));
        var result = new RecordEvaluator().Evaluate(RecordFolderReader.Read(path)!);
        foreach (var metric in new[] { MetricNames.TranscriptWer, MetricNames.TranscriptCer, MetricNames.QuoteSupportRate, MetricNames.ToneSupportRate })
        {
            Assert.Null(result[metric]);
            Assert.Equal("the clip has no audio track", result.Reasons[metric]);
        }
        Assert.DoesNotContain(result.Flags, f => f.Code is FlagCodes.UnsupportedTone or FlagCodes.UnsupportedQuote);
    }

    [Fact]
    public void WithoutAnLlmTranscriptTheErrorRatesAreNullNotPerfect()
    {
        using var folder = new TempFolder();
        var record = new SyntheticDataset(5).WriteOne(folder.Path, 3);
        var path = Path.Combine(folder.Path, record.Id);
        var merr = Path.Combine(path, record.Id + "_merr_data.json");
        var json = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(merr))!;
        json["coarse_descriptions_at_peak"]!["audio_analysis"] = "";
        File.WriteAllText(merr, json.ToJsonString());
        var result = new RecordEvaluator().Evaluate(RecordFolderReader.Read(path)!);
        Assert.Null(result[MetricNames.TranscriptWer]);
        Assert.Null(result[MetricNames.TranscriptCer]);
        Assert.Contains("no audio description", result.Reasons[MetricNames.TranscriptWer], StringComparison.Ordinal);
        Assert.Contains(result.Flags, f => f.Code == FlagCodes.MissingModality && f.Message.Contains("audio description", StringComparison.Ordinal));
    }

    [Fact]
    public void ARecordWithNothingToScoreHasANullCompositeWithAReason()
    {
        var result = new RecordEvaluator().Evaluate(new RecordEvidence { Id = "empty", Kind = "au", Missing = new Dictionary<string, string> { ["au_table"] = "no AU table (empty.csv)" } });
        Assert.Null(result[MetricNames.CompositeScore]);
        Assert.Equal("no component of the composite could be computed", result.Reasons[MetricNames.CompositeScore]);
        Assert.All(MetricNames.All, m => Assert.True(result[m] is not null || result.Reasons.ContainsKey(m), m));
    }
}
