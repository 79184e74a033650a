using System.Text.Json;
using MerFactory.Evaluation.Synthetic;

namespace MerFactory.Evaluation.Tests;

public sealed class DatasetEvaluatorTests
{
    [Fact]
    public void WritesSidecarsDatasetFilesAndReportThatAgreeWithEachOther()
    {
        using var folder = new TempFolder();
        var records = new SyntheticDataset(7).Write(folder.Path, 42);
        Directory.CreateDirectory(Path.Combine(folder.Path, "error_logs"));
        // One damaged record: counted as an error, the others go on.
        Directory.CreateDirectory(Path.Combine(folder.Path, "broken"));
        File.WriteAllText(Path.Combine(folder.Path, "broken", "broken_merr_data.json"), "{ \"final_summary\": ");
        var html = Path.Combine(folder.Path, "report", "evaluation.html");

        var summary = new DatasetEvaluator().Run(new DatasetEvaluationOptions { OutputFolder = folder.Path, HtmlPath = html, WorstShown = 5 });

        Assert.Equal(42, summary.Records);
        Assert.Equal(1, summary.ErrorCount);
        foreach (var record in records) SchemaCheck.AssertValid(Path.Combine(folder.Path, record.Id, record.Id + "_eval.json"));

        using var dataset = JsonDocument.Parse(File.ReadAllText(Path.Combine(folder.Path, "evaluation.json")));
        var rows = dataset.RootElement.GetProperty("records").EnumerateArray().ToList();
        Assert.Equal(records.Select(r => r.Id), rows.Select(r => r.GetProperty("id").GetString()));
        foreach (var row in rows)
            foreach (var key in new[] { "metrics", "flags", "reasons" }) Assert.True(row.TryGetProperty(key, out _), key);
        var flagCounts = dataset.RootElement.GetProperty("summary").GetProperty("flag_counts");
        foreach (var code in FlagCodes.All)
        {
            var recordsWithFlag = rows.Count(r => r.GetProperty("flags").EnumerateArray().Any(f => f.GetProperty("code").GetString() == code));
            Assert.Equal(recordsWithFlag, flagCounts.GetProperty(code).GetInt32());
        }
        Assert.Equal(1, dataset.RootElement.GetProperty("summary").GetProperty("errors").GetInt32());

        var csv = File.ReadAllLines(Path.Combine(folder.Path, "evaluation.csv"));
        Assert.Equal(43, csv.Length);
        Assert.Equal(["id", "kind", .. MetricNames.All, "flags"], csv[0].Split(','));
        var worstFromCsv = csv.Skip(1).Select(l => l.Split(','))
            .Select(c => (Id: c[0], Score: double.Parse(c[2 + MetricNames.All.ToList().IndexOf(MetricNames.CompositeScore)], System.Globalization.CultureInfo.InvariantCulture)))
            .OrderBy(r => r.Score).First();
        Assert.Equal(worstFromCsv.Score, summary.Worst[0].Composite);

        var page = File.ReadAllText(html);
        Assert.Contains("<svg", page, StringComparison.Ordinal);
        Assert.Contains(summary.Worst[0].Id, page, StringComparison.Ordinal);
        Assert.DoesNotContain("<script", page, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("src=\"http", page, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(folder.Path, "evaluation.json.partial")));
    }

    [Fact]
    public void NoMetricIsNullWithoutAReasonAndNoReasonStandsBesideAValue()
    {
        using var folder = new TempFolder();
        new SyntheticDataset(99).Write(folder.Path, 40);
        var evaluations = new List<RecordEvaluation>();
        new DatasetEvaluator().Run(new DatasetEvaluationOptions { OutputFolder = folder.Path }, evaluations.Add);
        Assert.Equal(40, evaluations.Count);
        foreach (var evaluation in evaluations)
            foreach (var (name, value) in evaluation.Metrics)
                Assert.True(value is null == evaluation.Reasons.ContainsKey(name), $"{evaluation.Id} {name}={value} reason={evaluation.Reasons.GetValueOrDefault(name)}");
    }
}
