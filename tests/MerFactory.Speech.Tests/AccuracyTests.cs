using MerFactory.Speech.Audio;
using MerFactory.Speech.Engines;
using MerFactory.Speech.Prosody;
using MerFactory.Speech.Text;
using MerFactory.Speech.Vad;
using MerFactory.Testing;
using Xunit.Abstractions;

namespace MerFactory.Speech.Tests;

/// <summary>Acceptance 1: word error rate of the offline engine against the pocketsphinx CLI on the same files.</summary>
public sealed class AccuracyTests(ITestOutputHelper output)
{
    [Fact]
    public async Task OfflineEngineIsNoWorseThanThePocketSphinxCli()
    {
        var corpus = ReferenceCorpus.Load();
        Assert.Equal(6, corpus.Count);
        using var engines = new TranscriptionEngineSelector();
        using var vad = new SileroVad(SharedData.DataPath("models", "silero_vad.onnx"));
        var service = new TranscriptionService(new AudioDecoder(), engines, new ProsodyAnalyzer(), vad);

        int engineErrors = 0, cliErrors = 0, referenceWords = 0;
        foreach (var (path, reference) in corpus)
        {
            var engineText = (await service.TranscribeAsync(path, new TranscriptionOptions { Engine = EngineChoice.PocketSphinx })).Text;
            var cliText = (await PocketSphinxCli.TranscribeAsync(path, new PocketSphinxOptions())).Text;
            var engine = WordErrorRate.Compute(reference, engineText);
            var cli = WordErrorRate.Compute(reference, cliText);
            output.WriteLine($"{Path.GetFileName(path),-48} WER engine {engine.Rate,6:P1}  cli {cli.Rate,6:P1}  | {engineText}");
            engineErrors += engine.Errors;
            cliErrors += cli.Errors;
            referenceWords += engine.ReferenceWords;
        }

        var engineRate = engineErrors / (double)referenceWords;
        var cliRate = cliErrors / (double)referenceWords;
        output.WriteLine($"overall WER engine {engineRate:P1}  cli {cliRate:P1}");
        Assert.True(engineRate <= cliRate + 0.01, $"engine WER {engineRate:P1} is worse than the CLI's {cliRate:P1}");
    }
}

/// <summary>Debian pocketsphinx-testdata librivox utterances (reference in its transcription file) plus jfk.wav.</summary>
internal static class ReferenceCorpus
{
    public const string LibrivoxDirectory = "/usr/share/pocketsphinx/test/data/librivox";

    public static List<(string Path, string Reference)> Load()
    {
        var corpus = File.ReadLines(Path.Combine(LibrivoxDirectory, "transcription"))
            .Where(line => line.Contains('(', StringComparison.Ordinal))
            .Select(line =>
            {
                var open = line.LastIndexOf('(');
                var id = line[(open + 1)..line.LastIndexOf(')')];
                var text = line[..open].Replace("<s>", "", StringComparison.Ordinal).Replace("</s>", "", StringComparison.Ordinal).Trim();
                return (Path.Combine(LibrivoxDirectory, id + ".wav"), text);
            })
            .ToList();
        corpus.Add((SharedData.DataPath("speech", "jfk.wav"), "And so my fellow Americans, ask not what your country can do for you, ask what you can do for your country."));
        return corpus;
    }
}
