using System.CommandLine;
using MerFactory.ModelHost;
using MerFactory.ModelHost.Models;
using Spectre.Console;

namespace MerFactory.Cli;

/// <summary>
/// <c>merfactory models pull ID [--models-dir DIR] [--hub URL]</c>: downloads a model's GGUF (and its mmproj) from the
/// Hugging Face Hub into the model host's folder, resuming partial files and checking size and SHA-256.
/// ID is a catalogue id (MER-Factory's, e.g. Qwen/Qwen2.5-Omni-3B) or <c>owner/repo/file.gguf[+mmproj.gguf]</c>.
/// </summary>
internal static class ModelsPullCommand
{
    private static readonly Argument<string> Id = new("ID") { Description = "Catalogue id (e.g. Qwen/Qwen2.5-Omni-3B) or owner/repo/file.gguf[+mmproj-file.gguf]." };
    private static readonly Option<string> ModelsDir = new("--models-dir")
    {
        Description = "Model host folder (ModelHost__ModelsDirectory).",
        DefaultValueFactory = _ => Environment.GetEnvironmentVariable("ModelHost__ModelsDirectory") is { Length: > 0 } d ? d : ModelHostOptions.DefaultModelsDirectory,
    };
    private static readonly Option<string> Hub = new("--hub") { Description = "Hub base URL (HF_ENDPOINT).", DefaultValueFactory = _ => Environment.GetEnvironmentVariable("HF_ENDPOINT") is { Length: > 0 } e ? e : HubDownloader.DefaultHub.AbsoluteUri };

    public static Command Create()
    {
        var pull = new Command("pull", "Downloads a GGUF model (and its mmproj) for --huggingface-model, verifying size and SHA-256.") { Id, ModelsDir, Hub };
        pull.SetAction((parse, ct) => PullAsync(parse.GetValue(Id)!, parse.GetValue(ModelsDir)!, parse.GetValue(Hub)!, ct));
        return pull;
    }

    private static async Task<int> PullAsync(string id, string modelsDir, string hub, CancellationToken cancellationToken)
    {
        if (GgufCatalogue.Unsupported.TryGetValue(id, out var why)) return Fail($"{id}: {why}.");
        var entry = GgufCatalogue.Resolve(id);
        if (entry is null)
            return Fail($"Unknown model '{id}'. Known ids: {string.Join(", ", GgufCatalogue.Entries.Select(e => e.Id))}; or name a file as owner/repo/file.gguf.");
        Console.WriteLine($"{entry.Id}: {entry.Model.Repo} ({entry.Takes}; {entry.Note})");
        using var downloader = new HubDownloader(new Uri(hub.TrimEnd('/') + "/"), Environment.GetEnvironmentVariable("HF_TOKEN"));
        try
        {
            foreach (var file in new[] { entry.Model, entry.Projector }.OfType<HubFile>())
            {
                var target = GgufCatalogue.LocalPath(modelsDir, file);
                await AnsiConsole.Progress()
                    .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new DownloadedColumn(), new TransferSpeedColumn())
                    .StartAsync(async context =>
                    {
                        var task = context.AddTask(file.File, maxValue: 1);
                        var progress = new Progress<(long Done, long Total)>(p =>
                        {
                            task.MaxValue = Math.Max(1, p.Total);
                            task.Value = p.Done;
                        });
                        await downloader.DownloadAsync(file, target, progress, cancellationToken);
                        task.Value = task.MaxValue;
                    });
                Console.WriteLine($"  {file.File} → {target} (size and SHA-256 verified)");
            }
        }
        catch (HubDownloadException e)
        {
            return Fail(e.Message);
        }
        Console.WriteLine($"Use it with: merfactory process INPUT OUTPUT --huggingface-model {entry.Id}" +
            (modelsDir == ModelHostOptions.DefaultModelsDirectory ? "" : $" (with ModelHost__ModelsDirectory={modelsDir})"));
        return 0;
    }

    private static int Fail(string message)
    {
        AnsiConsole.MarkupLineInterpolated($"[red]error: {message}[/]");
        return 1;
    }
}
