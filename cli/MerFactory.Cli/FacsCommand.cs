using System.CommandLine;
using MerFactory.Facs.Analysis;
using MerFactory.Facs.OpenFace;

namespace MerFactory.Cli;

/// <summary>
/// <c>merfactory facs CSV OUTPUT_DIR</c>: MER-Factory's FACS analysis of an existing OpenFace CSV (OpenFace's own or
/// ours), written as <c>OUTPUT_DIR/{stem}/{stem}_au_analysis.json</c>, the same file <c>process --type AU</c> writes.
/// </summary>
internal static class FacsCommand
{
    private static readonly Argument<string> Csv = new("CSV") { Description = "An OpenFace CSV (AUxx_r / AUxx_c columns)." };
    private static readonly Argument<string> Output = new("OUTPUT_DIR") { Description = "Folder for the results (created if missing)." };

    public static Command Create()
    {
        var command = new Command("facs", "Analyses an existing OpenFace CSV with MER-Factory's FACS rules (emotion peaks, overall peak frame).")
        {
            Csv, Output, ProcessCommand.Threshold, ProcessCommand.PeakDistance,
        };
        Csv.Validators.Add(r => { var path = r.GetValueOrDefault<string>(); if (!File.Exists(path)) r.AddError($"CSV '{path}' does not exist."); });
        command.SetAction(parse => Run(parse.GetValue(Csv)!, parse.GetValue(Output)!, parse.GetValue(ProcessCommand.Threshold), parse.GetValue(ProcessCommand.PeakDistance)));
        return command;
    }

    public static int Run(string csvPath, string outputDirectory, double threshold, int peakDistance)
    {
        OpenFaceTable table;
        try
        {
            table = OpenFaceCsv.Read(csvPath);
        }
        catch (OpenFaceCsvException e)
        {
            Spectre.Console.AnsiConsole.MarkupLineInterpolated($"[red]{csvPath}: {e.Message}[/]");
            return 1;
        }
        var analysis = FacialAnalysis.Analyze(table, new FacialAnalysisOptions { Threshold = threshold, PeakDistanceFrames = peakDistance });
        var id = Path.GetFileNameWithoutExtension(csvPath);
        var folder = Path.Combine(outputDirectory, id);
        Directory.CreateDirectory(folder);
        var path = Path.Combine(folder, AuAnalysisDocument.FileName(id));
        File.WriteAllText(path, AuAnalysisDocument.From(Path.GetFullPath(csvPath), analysis).ToJson());
        Console.WriteLine($"{id}: {string.Join("; ", analysis.ChronologicalEmotionPeaks)} -> {path}");
        return 0;
    }
}
