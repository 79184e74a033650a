using System.Text.Json;
using System.Text.RegularExpressions;
using MerFactory.Facs.Analysis;
using MerFactory.Facs.OpenFace;
using MerFactory.Testing;

namespace MerFactory.Cli.Tests;

/// <summary>`--type AU` end to end in the embedded mode: native AU engine, OpenFace CSV, MER-Factory's AU JSON.</summary>
public sealed partial class AuPipelineTests : IDisposable
{
    private readonly string _work = Directory.CreateTempSubdirectory("mf-cli-au-").FullName;

    public void Dispose() => Directory.Delete(_work, recursive: true);

    [Fact]
    public async Task AuTypeWritesTheCsvAndTheAnalysisWhoseEmotionsMatchOpenFacesReference()
    {
        var input = Path.Combine(_work, "in");
        Directory.CreateDirectory(input);
        File.Copy(SharedData.DataPath("media", "openface_samples", "default.wmv"), Path.Combine(input, "default.wmv"));
        File.Copy(SharedData.DataPath("media", "pyfeat", "single_face.jpg"), Path.Combine(input, "face.jpg"));
        var output = Path.Combine(_work, "out");

        var (exit, log) = await CliRunner.RunAsync("process", input, output, "--type", "AU", "--evidence-only");

        Assert.True(exit == 0, log);
        var table = OpenFaceCsv.Read(Path.Combine(output, "default", "default.csv"));
        Assert.Equal(288, table.Frames.Count);
        Assert.True(table.Frames.Count(f => f.Success) > 280);

        var json = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(output, "default", "default_au_analysis.json"))).RootElement;
        Assert.Equal(Path.Combine(input, "default.wmv"), json.GetProperty("source_path").GetString());
        var peaks = json.GetProperty("chronological_emotion_peaks").EnumerateArray().Select(p => p.GetString()!).ToList();
        Assert.All(peaks, p => Assert.Matches(PeakPattern(), p));
        Assert.False(string.IsNullOrWhiteSpace(json.GetProperty("overall_peak_au_description").GetString()));

        // The emotions MER-Factory's logic names from our CSV and from OpenFace's own CSV of the same clip.
        var reference = FacialAnalysis.Analyze(OpenFaceCsv.Read(SharedData.DataPath("reference", "default_openface2017.csv")));
        Assert.Equal(EmotionsNamed(reference.ChronologicalEmotionPeaks), EmotionsNamed(peaks));

        // The photo gets its one AU row from the static models (MER-Factory's --type image never did).
        var face = OpenFaceCsv.Read(Path.Combine(output, "face", "face.csv"));
        Assert.Single(face.Frames);
        Assert.True(face.Frames[0].Success);
    }

    private static SortedSet<string> EmotionsNamed(IEnumerable<string> peaks) =>
        new(peaks.SelectMany(p => EmotionPattern().Matches(p).Select(m => m.Groups[1].Value)), StringComparer.Ordinal);

    [GeneratedRegex(@"^Peak at \d+\.\d\ds: [a-z]+ \((slight|moderate|strong)\)(, [a-z]+ \((slight|moderate|strong)\))*$")]
    private static partial Regex PeakPattern();

    [GeneratedRegex(@"([a-z]+) \((?:slight|moderate|strong)\)")]
    private static partial Regex EmotionPattern();
}
