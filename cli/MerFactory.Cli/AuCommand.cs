using System.CommandLine;
using System.Diagnostics;
using MerFactory.AuEngine.Models;
using MerFactory.AuEngine.Pipeline;
using MerFactory.Pipeline.Orchestration;
using Microsoft.Extensions.Configuration;
using Spectre.Console;

namespace MerFactory.Cli;

/// <summary>
/// <c>merfactory au INPUT CSV</c>: the OpenFace CSV of one video or image (AU intensities and presence, the 68
/// landmarks, pose) straight from the built-in engine, as OpenFace's FeatureExtraction writes it: no pipeline, no store,
/// nothing cached. Models come from the same configuration as <c>process</c> (<c>AuModels__*</c>, <c>AuEngine__*</c>).
/// </summary>
internal static class AuCommand
{
    private static readonly Argument<string> Input = new("INPUT") { Description = "A video or an image (jpg, jpeg, png, bmp)." };
    private static readonly Argument<string> Csv = new("CSV") { Description = "The OpenFace CSV to write (replaced when it exists)." };
    private static readonly Option<bool> AllFaces = new("--all-faces") { Description = "One row per tracked face (face_id) instead of the largest face only." };

    public static Command Create()
    {
        var command = new Command("au", "Writes the OpenFace CSV (AUs, landmarks, pose) of one video or image with the built-in engine, like OpenFace's FeatureExtraction.")
        {
            Input, Csv, ProcessCommand.Landmarks, AllFaces,
        };
        Input.Validators.Add(r => { var path = r.GetValueOrDefault<string>(); if (!File.Exists(path)) r.AddError($"Input '{path}' does not exist."); });
        command.SetAction((parse, ct) => RunAsync(parse.GetValue(Input)!, parse.GetValue(Csv)!, ProcessCommand.LandmarkChoice(parse), parse.GetValue(AllFaces), ct));
        return command;
    }

    public static async Task<int> RunAsync(string input, string csvPath, LandmarkMethod? landmarks, bool allFaces, CancellationToken ct)
    {
        var configuration = new ConfigurationBuilder().AddEnvironmentVariables().Build();
        var models = configuration.GetSection(AuModelOptions.SectionName).Get<AuModelOptions>() ?? new AuModelOptions();
        var options = configuration.GetSection(AuEngineOptions.SectionName).Get<AuEngineOptions>() ?? new AuEngineOptions();
        if (landmarks is { } chosen) options.Landmarks = chosen;
        var run = new AuRunOptions { IncludeLandmarks = true, AllFaces = allFaces };
        var clock = Stopwatch.StartNew();
        var partial = csvPath + ".partial";
        try
        {
            var isImage = InputDiscovery.KindOf(input) == MediaKind.Image;
            // The decoder (a separate ffmpeg process) starts while the models load.
            using var video = isImage ? null : ActionUnitEngine.OpenVideo(input, options);
            using var engine = ActionUnitEngine.Create(models, options);
            int rows;
            await using (var writer = new StreamWriter(partial))
            {
                var source = video is null
                    ? engine.AnalyzeImage(input, run).Faces.ToAsyncEnumerable()
                    : engine.AnalyzeVideoAsync(video, run, ct);
                rows = await engine.WriteOpenFaceCsvAsync(source, writer, ct, landmarkColumns: true);
            }
            // Written whole or not at all: an interrupted run leaves no half CSV under the asked name.
            File.Move(partial, csvPath, overwrite: true);
            Console.WriteLine($"{Path.GetFileName(input)}: {rows} row(s), {options.Landmarks} landmarks, {clock.Elapsed.TotalSeconds:F1} s -> {csvPath}");
            return 0;
        }
        // A missing or corrupt model (FileNotFound, IO: the message names the install command), an unreadable input.
        catch (Exception e) when (e is InvalidDataException or IOException or UnauthorizedAccessException)
        {
            File.Delete(partial);
            AnsiConsole.MarkupLineInterpolated($"[red]{(e.Message.Contains(input, StringComparison.Ordinal) ? e.Message : $"{input}: {e.Message}")}[/]");
            return 1;
        }
    }
}
