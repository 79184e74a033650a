using System.CommandLine;
using MerFactory.Export;
using MerFactory.Export.Training;

namespace MerFactory.Cli;

/// <summary>
/// <c>merfactory train prepare</c> (train.sh's flow, spec §8.6, with every option taking effect) and
/// <c>merfactory train register</c> (register_dataset.py).
/// </summary>
internal static class TrainCommand
{
    public static readonly Option<string> Framework = new("--framework", "-f")
    {
        Description = $"Training framework: {string.Join(" or ", OptionNames.FrameworkNames)}.",
        DefaultValueFactory = _ => "llama_factory",
    };
    public static readonly Option<string> LlamaFactoryDir = new("--llama-factory-dir", "--llama_factory_dir")
    {
        Description = "The LLaMA-Factory checkout (holding data/dataset_info.json).",
        DefaultValueFactory = _ => "./LLaMA-Factory",
    };

    // train prepare
    public static readonly Option<string> OutputDir = new("--output_dir", "-o", "--output-dir") { Description = "Where trained models go ({dir}/{dataset name}).", DefaultValueFactory = _ => "./output_models" };
    public static readonly Option<string> DataSource = new("--data_source", "-d", "--data-source") { Description = "The MER-Factory output folder to train on.", Required = true };
    public static readonly Option<string> PrepareFileType = new("--file_type", "-t", "--file-type") { Description = "au, image, mer, audio or video.", DefaultValueFactory = _ => "mer" };
    public static readonly Option<string> PrepareDatasetName = new("--dataset_name", "-n", "--dataset-name") { Description = "Name the dataset is registered under.", Required = true };
    public static readonly Option<string> ExportDir = new("--export-dir", "--export_dir") { Description = "Where the CSV and ShareGPT files go.", DefaultValueFactory = _ => "./training_data" };
    public static readonly Option<string?> PromptFile = new("--prompt-file", "--prompt_file") { Description = "Prompts JSON whose user_questions are the instruction pools." };
    public static readonly Option<int> Seed = new("--seed") { Description = "Seed for the instruction choice.", DefaultValueFactory = _ => 0 };

    // train register
    public static readonly Option<string> RegisterDatasetName = new("--dataset_name", "--dataset-name") { Description = "Name the dataset is registered under.", Required = true };
    public static readonly Option<string> FilePath = new("--file_path", "--file-path") { Description = "The ShareGPT JSON/JSONL file to register.", Required = true };
    public static readonly Option<string> RegisterFileType = new("--file_type", "--file-type") { Description = "au, image, mer, audio or video (decides the media columns).", Required = true };

    public static Command Create()
    {
        var prepare = new Command("prepare", "Exports an output folder to CSV, converts it to ShareGPT JSON and registers it for training (train.sh).")
        {
            Framework, OutputDir, DataSource, PrepareFileType, PrepareDatasetName, LlamaFactoryDir, ExportDir, PromptFile, Seed,
        };
        prepare.SetAction((parse, ct) => PrepareAsync(parse, ct));

        var register = new Command("register", "Registers a ShareGPT export with LLaMA-Factory, or prints ms-swift's dataset argument (register_dataset.py).")
        {
            Framework, RegisterDatasetName, FilePath, RegisterFileType, LlamaFactoryDir,
        };
        register.SetAction(parse => Register(parse));

        foreach (var fileType in new[] { PrepareFileType, RegisterFileType })
        {
            fileType.Validators.Add(r =>
            {
                var value = r.GetValueOrDefault<string>();
                if (!ExportFileTypes.TryParse(value, out _))
                    r.AddError($"Invalid --file_type '{value}': expected one of {string.Join(", ", ExportFileTypes.All.Select(t => t.Name()))}.");
            });
        }
        Framework.Validators.Add(r =>
        {
            var value = r.GetValueOrDefault<string>();
            if (!OptionNames.FrameworkNames.Contains(value?.Trim().Replace('-', '_').ToLowerInvariant()))
                r.AddError($"Invalid --framework '{value}': expected one of {string.Join(", ", OptionNames.FrameworkNames)}.");
        });

        return new Command("train", "Hands an export over to a training framework (LLaMA-Factory or ms-swift).") { prepare, register };
    }

    private static async Task<int> PrepareAsync(ParseResult parse, CancellationToken cancellationToken)
    {
        var output = parse.InvocationConfiguration.Output;
        var options = new TrainPrepareOptions
        {
            Framework = OptionNames.ParseFramework(parse.GetValue(Framework)!),
            OutputDir = parse.GetValue(OutputDir)!,
            DataSource = parse.GetValue(DataSource)!,
            FileType = ExportFileTypes.Parse(parse.GetValue(PrepareFileType)!),
            DatasetName = parse.GetValue(PrepareDatasetName)!,
            ExportDir = parse.GetValue(ExportDir)!,
            LlamaFactoryDir = parse.GetValue(LlamaFactoryDir)!,
            PromptFile = parse.GetValue(PromptFile),
            Seed = parse.GetValue(Seed),
        };
        TrainPrepareResult result;
        try
        {
            result = await new TrainPrepare(new ExportRunner()).RunAsync(options, cancellationToken);
        }
        catch (Exception ex) when (ExportCommand.IsUserError(ex))
        {
            await parse.InvocationConfiguration.Error.WriteLineAsync($"train prepare failed: {ex.Message}");
            return 1;
        }

        await ExportCommand.PrintAsync(result.CsvExport, output, "Step 1, CSV export");
        await ExportCommand.PrintAsync(result.ShareGptExport, output, "Step 2, ShareGPT from the CSV");
        if (result.Registration is { } registration)
            await output.WriteLineAsync($"Step 3, registered '{registration.DatasetName}' in {registration.DatasetInfoPath}{(registration.Replaced ? " (replaced the earlier entry)" : "")}; sha1 {registration.FileSha1}.");
        if (result.MsSwiftArguments is { } arguments)
            await output.WriteLineAsync($"Step 3, ms-swift dataset argument: {string.Join(' ', arguments)}");
        await output.WriteLineAsync($"Trained models go to: {result.ModelOutputDir}");
        await output.WriteLineAsync("Next:");
        foreach (var step in result.NextSteps) await output.WriteLineAsync($"  {step}");
        return ExportCommand.ExitCode(result.CsvExport, result.ShareGptExport);
    }

    private static int Register(ParseResult parse)
    {
        var output = parse.InvocationConfiguration.Output;
        var file = parse.GetValue(FilePath)!;
        try
        {
            if (OptionNames.ParseFramework(parse.GetValue(Framework)!) == TrainingFramework.MsSwift)
            {
                output.WriteLine(MsSwiftDataset.CommandLine(file));
                return 0;
            }
            var registration = LlamaFactoryRegistration.Register(
                parse.GetValue(LlamaFactoryDir)!, parse.GetValue(RegisterDatasetName)!, file, ExportFileTypes.Parse(parse.GetValue(RegisterFileType)!));
            output.WriteLine($"Registered '{registration.DatasetName}' in {registration.DatasetInfoPath}{(registration.Replaced ? " (replaced the earlier entry)" : "")}: {registration.FilePath}, sha1 {registration.FileSha1}, columns {string.Join(", ", registration.Columns.Keys)}.");
            return 0;
        }
        catch (Exception ex) when (ExportCommand.IsUserError(ex))
        {
            parse.InvocationConfiguration.Error.WriteLine($"train register failed: {ex.Message}");
            return 1;
        }
    }
}
