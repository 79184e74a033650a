namespace MerFactory.Export.Training;

public enum TrainingFramework
{
    LlamaFactory,
    MsSwift,
}

/// <summary>train.sh's options (spec §8.6); unlike train.sh, every one of them takes effect.</summary>
public sealed record TrainPrepareOptions
{
    /// <summary><c>-f/--framework</c>.</summary>
    public TrainingFramework Framework { get; init; } = TrainingFramework.LlamaFactory;

    /// <summary><c>-o/--output_dir</c>: where trained models go; the model of this dataset goes to <c>{OutputDir}/{DatasetName}</c>.</summary>
    public string OutputDir { get; init; } = "./output_models";

    /// <summary><c>-d/--data_source</c>: the MER-Factory output folder to train on.</summary>
    public required string DataSource { get; init; }

    /// <summary><c>-t/--file_type</c>.</summary>
    public ExportFileType FileType { get; init; } = ExportFileType.Mer;

    /// <summary><c>-n/--dataset_name</c>.</summary>
    public required string DatasetName { get; init; }

    /// <summary>Where the CSV and ShareGPT files go (train.sh's fixed <c>./training_data</c>).</summary>
    public string ExportDir { get; init; } = "./training_data";

    /// <summary>The LLaMA-Factory checkout (train.sh: <c>LLaMA-Factory/</c> beside the repository).</summary>
    public string LlamaFactoryDir { get; init; } = "./LLaMA-Factory";

    public string? PromptFile { get; init; }

    public int Seed { get; init; }
}

public sealed record TrainPrepareResult(
    ExportResult CsvExport,
    ExportResult ShareGptExport,
    string CsvPath,
    string DatasetFile,
    DatasetRegistration? Registration,
    IReadOnlyList<string>? MsSwiftArguments,
    string ModelOutputDir,
    IReadOnlyList<string> NextSteps);

/// <summary>
/// train.sh's flow: export the output folder to CSV, convert that CSV to ShareGPT JSON, register it with the
/// framework, and say how to start training. Checks the inputs (and the LLaMA-Factory checkout) before writing anything.
/// </summary>
public sealed class TrainPrepare(ExportRunner runner)
{
    public async Task<TrainPrepareResult> RunAsync(TrainPrepareOptions options, CancellationToken cancellationToken = default)
    {
        LlamaFactoryRegistration.ValidateDatasetName(options.DatasetName);
        var dataSource = Path.GetFullPath(options.DataSource);
        if (!Directory.Exists(dataSource))
            throw new DirectoryNotFoundException($"Data source '{dataSource}' does not exist (the MER-Factory output folder to train on).");
        if (options.Framework == TrainingFramework.LlamaFactory)
            LlamaFactoryRegistration.RequireDatasetInfo(options.LlamaFactoryDir);

        var exportDir = Path.GetFullPath(options.ExportDir);
        var csvExport = await runner.RunAsync(new ExportOptions
        {
            OutputFolder = dataSource,
            FileType = options.FileType,
            ExportPath = exportDir,
            ExportCsv = true,
            ExportFormat = null,
        }, cancellationToken);
        var csvPath = csvExport.File("csv").Path;
        if (csvExport.RecordsExported == 0)
            throw new InvalidDataException(
                $"No {options.FileType.Name()} records in '{dataSource}' ({csvExport.RecordsSkipped} skipped, {csvExport.RecordsExcluded} folders of other types); nothing to train on. First issues: "
                + string.Join("; ", csvExport.Issues.Take(3)));

        // The CSV step is the curation point (it can be edited); training data is built from it, as in train.sh.
        var shareGptExport = await runner.RunAsync(new ExportOptions
        {
            InputCsv = csvPath,
            FileType = options.FileType,
            ExportPath = exportDir,
            ExportFormat = ExportFormat.ShareGpt,
            JsonFormat = JsonFormat.Json,
            PromptFile = options.PromptFile,
            Seed = options.Seed,
        }, cancellationToken);
        var datasetFile = shareGptExport.File("sharegpt-json").Path;
        var modelOutputDir = Path.Combine(Path.GetFullPath(options.OutputDir), options.DatasetName);

        if (options.Framework == TrainingFramework.LlamaFactory)
        {
            var registration = LlamaFactoryRegistration.Register(options.LlamaFactoryDir, options.DatasetName, datasetFile, options.FileType);
            var checkout = Path.GetFullPath(options.LlamaFactoryDir);
            return new TrainPrepareResult(csvExport, shareGptExport, csvPath, datasetFile, registration, null, modelOutputDir,
            [
                $"cd {ShellQuote.Quote(checkout)} && llamafactory-cli webui",
                $"in the web UI choose dataset '{options.DatasetName}' and set the output directory to {modelOutputDir}",
                $"or: cd {ShellQuote.Quote(checkout)} && llamafactory-cli train --stage sft --do_train --dataset {options.DatasetName} --dataset_dir data --template <TEMPLATE> --model_name_or_path <MODEL> --output_dir {ShellQuote.Quote(modelOutputDir)}",
            ]);
        }

        var arguments = MsSwiftDataset.Arguments(datasetFile);
        return new TrainPrepareResult(csvExport, shareGptExport, csvPath, datasetFile, null, arguments, modelOutputDir,
        [
            $"swift sft --model <MODEL> {string.Join(' ', arguments.Select(ShellQuote.Quote))} --output_dir {ShellQuote.Quote(modelOutputDir)}",
        ]);
    }
}
