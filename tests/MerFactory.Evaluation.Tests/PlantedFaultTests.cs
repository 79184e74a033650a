using MerFactory.Evaluation.Evidence;
using MerFactory.Evaluation.Synthetic;
using Xunit.Abstractions;

namespace MerFactory.Evaluation.Tests;

/// <summary>Acceptance 1: on seeded records with planted faults, each flag's precision and recall are at least 0.9.</summary>
public sealed class PlantedFaultTests(ITestOutputHelper output)
{
    [Theory]
    [InlineData(16, 60)]
    [InlineData(2026, 48)]
    public void EveryPlantedFaultIsFlaggedAndCleanRecordsAreNot(int seed, int count)
    {
        using var folder = new TempFolder();
        var records = new SyntheticDataset(seed).Write(folder.Path, count);
        var evaluator = new RecordEvaluator();
        var raised = records.ToDictionary(r => r.Id, r => evaluator.Evaluate(RecordFolderReader.Read(Path.Combine(folder.Path, r.Id))!));

        Assert.True(records.Count(r => r.PlantedFlags.Count == 0) >= 10, "too few clean records to measure false flags");
        var failures = new List<string>();
        foreach (var code in FlagCodes.All)
        {
            var tp = records.Count(r => r.PlantedFlags.Contains(code) && raised[r.Id].HasFlag(code));
            var fp = records.Count(r => !r.PlantedFlags.Contains(code) && raised[r.Id].HasFlag(code));
            var fn = records.Count(r => r.PlantedFlags.Contains(code) && !raised[r.Id].HasFlag(code));
            var precision = tp + fp == 0 ? 1 : tp / (double)(tp + fp);
            var recall = tp + fn == 0 ? 1 : tp / (double)(tp + fn);
            output.WriteLine($"{code,-22} planted {tp + fn,3}  tp {tp,3}  fp {fp,3}  fn {fn,3}  precision {precision:0.000}  recall {recall:0.000}");
            foreach (var r in records.Where(r => r.PlantedFlags.Contains(code) != raised[r.Id].HasFlag(code)))
                output.WriteLine($"    {r.Id} planted [{string.Join(",", r.PlantedFlags)}] raised: {string.Join(" | ", raised[r.Id].Flags.Select(f => f.Code + ": " + f.Message))}");
            if (SyntheticDataset.PlantableFlags.Contains(code) && tp + fn < 4) failures.Add($"{code}: planted only {tp + fn} times");
            if (precision < 0.9) failures.Add($"{code}: precision {precision:0.000}");
            if (recall < 0.9) failures.Add($"{code}: recall {recall:0.000}");
        }
        Assert.Empty(failures);
    }
}
