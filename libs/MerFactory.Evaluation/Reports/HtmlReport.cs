using System.Globalization;
using System.Net;
using System.Text;

namespace MerFactory.Evaluation.Reports;

/// <summary>
/// A self-contained HTML report (no scripts, no external files): summary figures, flags by type, metric distributions
/// as inline SVG, why metrics were null, and the worst records with their cited cues against the evidence.
/// </summary>
public static class HtmlReport
{
    private static readonly CultureInfo C = CultureInfo.InvariantCulture;

    public static void Write(string path, EvaluationSummary summary, string source)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        File.WriteAllText(path + ".partial", Render(summary, source), new UTF8Encoding(false));
        File.Move(path + ".partial", path, overwrite: true);
    }

    public static string Render(EvaluationSummary summary, string source)
    {
        var html = new StringBuilder();
        html.Append("<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>MerFactory evaluation</title><style>")
            .Append("body{font-family:system-ui,sans-serif;margin:24px;color:#222;max-width:1200px}h1{margin-bottom:4px}h2{margin-top:32px;border-bottom:1px solid #ccc}")
            .Append(".cards{display:flex;gap:16px;flex-wrap:wrap}.card{border:1px solid #ddd;border-radius:6px;padding:10px 16px;min-width:140px}.card b{display:block;font-size:24px}")
            .Append("table{border-collapse:collapse;font-size:13px;width:100%;table-layout:auto}td,th{border:1px solid #ddd;padding:4px 6px;text-align:left;vertical-align:top}td.wrap{overflow-wrap:anywhere}th{background:#f4f4f4}")
            .Append(".grid{display:flex;flex-wrap:wrap;gap:12px}.supported{color:#1a7f37}.unsupported,.contradicted{color:#c62828;font-weight:600}.unmeasured{color:#888}")
            .Append(".flag{display:inline-block;background:#fdecea;color:#b71c1c;border-radius:4px;padding:1px 6px;margin:1px;font-size:12px}.muted{color:#666}")
            .Append("</style></head><body>");
        html.Append("<h1>MerFactory evaluation</h1><div class=\"muted\">").Append(E(source)).Append(" — model-free grounding checks</div>");

        html.Append("<div class=\"cards\">");
        Card(html, "records", summary.Records.ToString(C));
        Card(html, "flagged records", summary.FlaggedRecords.ToString(C));
        Card(html, "mean composite", Number(summary.Metrics[MetricNames.CompositeScore].Mean, "0.0"));
        Card(html, "mean AU support", Number(summary.Metrics[MetricNames.AuSupportRate].Mean, "0.00"));
        Card(html, "label hit rate", Number(summary.LabelHitRate, "0.00"));
        Card(html, "unreadable records", summary.ErrorCount.ToString(C));
        html.Append("</div>");

        html.Append("<h2>Flags by type</h2>").Append(FlagChart(summary));
        html.Append("<h2>Metric distributions</h2><div class=\"grid\">");
        foreach (var name in EvaluationSummary.Plotted.Keys) html.Append(Histogram(summary.Metrics[name]));
        html.Append("</div>");

        html.Append("<h2>Worst records</h2>");
        if (summary.Worst.Count == 0) html.Append("<p>No record has a composite score.</p>");
        foreach (var worst in summary.Worst) WorstRecord(html, worst);

        html.Append("<h2>Metrics that could not be computed</h2><table><tr><th>metric</th><th>mean</th><th>computed</th><th>null</th><th>most common reason</th></tr>");
        foreach (var stats in summary.Metrics.Values)
        {
            var reason = stats.NullReasons.OrderByDescending(r => r.Value).Select(r => $"{r.Key} ({r.Value})").FirstOrDefault() ?? "";
            html.Append("<tr><td>").Append(E(stats.Name)).Append("</td><td>").Append(Number(stats.Mean, "0.###")).Append("</td><td>").Append(stats.Count)
                .Append("</td><td>").Append(stats.Nulls).Append("</td><td>").Append(E(reason)).Append("</td></tr>");
        }
        html.Append("</table>");

        html.Append("<h2>Composite weights</h2><p class=\"muted\">Weighted mean over the components whose inputs exist; missing ones are left out, not defaulted.</p><table><tr>");
        foreach (var (component, _) in Composite.Weights) html.Append("<th>").Append(E(component)).Append("</th>");
        html.Append("</tr><tr>");
        foreach (var (_, weight) in Composite.Weights) html.Append("<td>").Append(weight.ToString("0.00", C)).Append("</td>");
        html.Append("</tr></table>");
        if (summary.Errors.Count > 0)
        {
            html.Append("<h2>Unreadable records</h2><ul>");
            foreach (var error in summary.Errors) html.Append("<li>").Append(E(error)).Append("</li>");
            html.Append("</ul>");
        }
        return html.Append("</body></html>").ToString();
    }

    private static void Card(StringBuilder html, string label, string value) =>
        html.Append("<div class=\"card\"><b>").Append(E(value)).Append("</b>").Append(E(label)).Append("</div>");

    private static string FlagChart(EvaluationSummary summary)
    {
        const int width = 760, row = 26, labelWidth = 190;
        var counts = summary.FlagCounts;
        var max = Math.Max(1, counts.Values.DefaultIfEmpty(0).Max());
        var svg = new StringBuilder().Append(C, $"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{width}\" height=\"{counts.Count * row + 10}\" role=\"img\" aria-label=\"flags by type\">");
        var y = 5;
        foreach (var (code, count) in counts)
        {
            var bar = (width - labelWidth - 80) * count / (double)max;
            svg.Append(C, $"<text x=\"0\" y=\"{y + 17}\" font-size=\"13\">{E(code)}</text>")
               .Append(C, $"<rect x=\"{labelWidth}\" y=\"{y + 4}\" width=\"{bar:0.0}\" height=\"18\" fill=\"#d9534f\"/>")
               .Append(C, $"<text x=\"{labelWidth + bar + 6:0.0}\" y=\"{y + 17}\" font-size=\"13\">{count} ({Percent(count, summary.Records)})</text>");
            y += row;
        }
        return svg.Append("</svg>").ToString();
    }

    private static string Histogram(MetricStatistics stats)
    {
        const int width = 270, height = 150, left = 30, bottom = 125, plotHeight = 100;
        var max = Math.Max(1, stats.Histogram.Max());
        var barWidth = (width - left - 10) / (double)MetricStatistics.Bins;
        var svg = new StringBuilder().Append(C, $"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{width}\" height=\"{height + 20}\" role=\"img\" aria-label=\"{E(stats.Name)} distribution\">")
            .Append(C, $"<text x=\"0\" y=\"14\" font-size=\"13\" font-weight=\"600\">{E(stats.Name)}</text>")
            .Append(C, $"<text x=\"{width}\" y=\"14\" font-size=\"11\" text-anchor=\"end\" fill=\"#666\">n={stats.Count}, null={stats.Nulls}</text>")
            .Append(C, $"<line x1=\"{left}\" y1=\"{bottom}\" x2=\"{width - 10}\" y2=\"{bottom}\" stroke=\"#999\"/>");
        for (var i = 0; i < stats.Histogram.Length; i++)
        {
            var h = plotHeight * stats.Histogram[i] / (double)max;
            svg.Append(C, $"<rect x=\"{left + i * barWidth + 1:0.0}\" y=\"{bottom - h:0.0}\" width=\"{barWidth - 2:0.0}\" height=\"{h:0.0}\" fill=\"#4a78b5\"><title>{stats.Histogram[i]}</title></rect>");
        }
        var top = stats.HistogramMax ?? 1;
        svg.Append(C, $"<text x=\"{left}\" y=\"{bottom + 14}\" font-size=\"11\">0</text>")
           .Append(C, $"<text x=\"{width - 10}\" y=\"{bottom + 14}\" font-size=\"11\" text-anchor=\"end\">{top.ToString("0.##", C)}{(top <= 1 ? "+" : "")}</text>")
           .Append(C, $"<text x=\"{left - 4}\" y=\"{bottom - plotHeight + 4}\" font-size=\"11\" text-anchor=\"end\">{max}</text>")
           .Append(C, $"<text x=\"{(left + width) / 2}\" y=\"{bottom + 28}\" font-size=\"11\" text-anchor=\"middle\" fill=\"#666\">mean {Number(stats.Mean, "0.###")}</text>");
        return svg.Append("</svg>").ToString();
    }

    private static void WorstRecord(StringBuilder html, WorstRecord worst)
    {
        html.Append("<h3>").Append(E(worst.Id)).Append(" — composite ").Append(worst.Composite.ToString("0.0", C)).Append("</h3><div>");
        foreach (var flag in worst.Flags) html.Append("<span class=\"flag\" title=\"").Append(E(flag.Message)).Append("\">").Append(E(flag.Code)).Append("</span>");
        html.Append("</div><ul>");
        foreach (var flag in worst.Flags) html.Append("<li class=\"muted\">").Append(E(flag.Message)).Append("</li>");
        html.Append("</ul><table><tr><th>cue</th><th>field</th><th>cited</th><th>checked</th><th>verdict</th><th>evidence</th></tr>");
        foreach (var cue in worst.Cues)
        {
            var status = cue.Status.ToString().ToLowerInvariant();
            html.Append("<tr><td>").Append(E(cue.Kind)).Append("</td><td>").Append(E(cue.Field)).Append("</td><td class=\"wrap\">").Append(E(cue.Text))
                .Append("</td><td>").Append(E(cue.Target)).Append("</td><td class=\"").Append(status).Append("\">").Append(status)
                .Append("</td><td class=\"wrap\">").Append(E(cue.Evidence)).Append("</td></tr>");
        }
        html.Append("</table>");
    }

    private static string Number(double? value, string format) => value is { } v ? v.ToString(format, C) : "n/a";

    private static string Percent(int count, int total) => total == 0 ? "0%" : (100.0 * count / total).ToString("0", C) + "%";

    private static string E(string text) => WebUtility.HtmlEncode(text);
}
