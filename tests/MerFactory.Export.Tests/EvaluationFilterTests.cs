using MerFactory.Evaluation;
using MerFactory.Evaluation.Synthetic;

namespace MerFactory.Export.Tests;

/// <summary><c>export --min-score / --exclude-flag</c>: only records whose evaluation passes are exported; the others are reported.</summary>
public sealed class EvaluationFilterTests : IDisposable
{
    private readonly string _work = Directory.CreateTempSubdirectory("mf-export-eval-").FullName;

    public void Dispose() => Directory.Delete(_work, recursive: true);

    private string Output => Path.Combine(_work, "out");

    [Fact]
    public async Task OnlyRecordsAtOrAboveTheScoreAndWithoutExcludedFlagsAreExported()
    {
        new SyntheticDataset(11).Write(Output, 40);
        var evaluations = new List<RecordEvaluation>();
        new DatasetEvaluator().Run(new DatasetEvaluationOptions { OutputFolder = Output }, evaluations.Add);
        var scores = evaluations.Select(e => e[MetricNames.CompositeScore]!.Value).Order().ToList();
        var minScore = scores[scores.Count / 2];
        var expected = evaluations
            .Where(e => e[MetricNames.CompositeScore] >= minScore && !e.HasFlag(FlagCodes.UnsupportedQuote))
            .Select(e => e.Id).Order(StringComparer.Ordinal).ToList();
        Assert.InRange(expected.Count, 1, 39);

        var exportPath = Path.Combine(_work, "export");
        var result = await new ExportRunner().RunAsync(new ExportOptions
        {
            OutputFolder = Output, FileType = ExportFileType.Mer, ExportPath = exportPath, ExportCsv = true, ExportFormat = null,
            MinScore = minScore, ExcludeFlags = [FlagCodes.UnsupportedQuote],
        });

        Assert.Equal(expected.Count, result.RecordsExported);
        Assert.Equal(40 - expected.Count, result.RecordsFiltered);
        Assert.Equal(0, result.RecordsSkipped);
        // Each exported row names its source clip (/data/{id}.mp4); the texts span several lines, so rows are found by it.
        var csv = File.ReadAllText(Path.Combine(exportPath, "mer_export_data.csv"));
        Assert.Equal(expected, evaluations.Select(e => e.Id).Where(id => csv.Contains($"/data/{id}.mp4", StringComparison.Ordinal)).Order(StringComparer.Ordinal));
        Assert.All(result.Issues.Where(i => i.Severity == IssueSeverity.Filtered), i => Assert.Matches("below --min-score|unsupported_quote", i.Message));
    }

    [Fact]
    public async Task RecordsWithoutAnEvaluationAreLeftOutWithTheReason()
    {
        new SyntheticDataset(12).Write(Output, 3);
        var result = await new ExportRunner().RunAsync(new ExportOptions
        {
            OutputFolder = Output, FileType = ExportFileType.Mer, ExportPath = Path.Combine(_work, "export"), ExportCsv = true, ExportFormat = null, MinScore = 10,
        });
        Assert.Equal(0, result.RecordsExported);
        Assert.Equal(3, result.RecordsFiltered);
        Assert.All(result.Issues.Where(i => i.Severity == IssueSeverity.Filtered), i => Assert.Contains("not evaluated", i.Message, StringComparison.Ordinal));
        Assert.Equal(3, result.Issues.Count(i => i.Severity == IssueSeverity.Filtered));
    }

    [Fact]
    public async Task FiltersNeedAnOutputFolderAndKnownFlags()
    {
        await Assert.ThrowsAsync<ArgumentException>(() => new ExportRunner().RunAsync(new ExportOptions { InputCsv = Path.Combine(_work, "x.csv"), MinScore = 50 }));
        new SyntheticDataset(13).Write(Output, 1);
        var error = await Assert.ThrowsAsync<ArgumentException>(() => new ExportRunner().RunAsync(new ExportOptions
        {
            OutputFolder = Output, FileType = ExportFileType.Mer, ExcludeFlags = ["made_up"],
        }));
        Assert.Contains("unsupported_au", error.Message, StringComparison.Ordinal);
    }
}
