using System.Diagnostics;
using MerFactory.Evaluation.Synthetic;

namespace MerFactory.Evaluation.Tests;

/// <summary>The HTML report as a real browser reads it: headless chromium (installed by scripts/setup.sh) builds its DOM.</summary>
public sealed class HtmlReportBrowserTests
{
    [Fact]
    public async Task ChromiumRendersEveryPlotAndTheWorstRecords()
    {
        using var folder = new TempFolder();
        new SyntheticDataset(3).Write(folder.Path, 30);
        var html = Path.Combine(folder.Path, "report.html");
        var summary = new DatasetEvaluator().Run(new DatasetEvaluationOptions { OutputFolder = folder.Path, HtmlPath = html, WorstShown = 4 });

        var psi = new ProcessStartInfo("chromium") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in new[] { "--headless", "--no-sandbox", "--disable-gpu", "--dump-dom", new Uri(html).AbsoluteUri }) psi.ArgumentList.Add(arg);
        using var browser = Process.Start(psi)!;
        var dom = browser.StandardOutput.ReadToEndAsync();
        _ = browser.StandardError.ReadToEndAsync();
        await browser.WaitForExitAsync().WaitAsync(TimeSpan.FromMinutes(3));
        var text = await dom;

        // One chart of flags, one histogram per plotted metric, all parsed as SVG elements by the browser.
        var svgCount = text.Split("<svg", StringSplitOptions.None).Length - 1;
        Assert.Equal(1 + Reports.EvaluationSummary.Plotted.Count, svgCount);
        Assert.Contains("<rect", text, StringComparison.Ordinal);
        Assert.All(summary.Worst, w => Assert.Contains($"<h3>{w.Id} — composite", text, StringComparison.Ordinal));
    }
}
