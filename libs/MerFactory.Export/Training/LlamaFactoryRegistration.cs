using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;
using MerFactory.Export.Writers;

namespace MerFactory.Export.Training;

/// <summary>A LLaMA-Factory checkout that is absent or lacks <c>data/dataset_info.json</c>.</summary>
public sealed class LlamaFactoryCheckoutNotFoundException(string message) : Exception(message);

/// <summary>The entry written into <c>dataset_info.json</c>.</summary>
public sealed record DatasetRegistration(string DatasetInfoPath, string DatasetName, string FilePath, string FileSha1, IReadOnlyDictionary<string, string> Columns, bool Replaced);

/// <summary>
/// Registers a ShareGPT export in a LLaMA-Factory checkout (register_dataset.py's llama_factory mode, spec §8.6),
/// with the columns the export actually writes, so LLaMA-Factory's <c>DatasetAttr</c> finds every media column.
/// </summary>
public static class LlamaFactoryRegistration
{
    public const string DatasetInfoRelativePath = "data/dataset_info.json";

    /// <summary>Throws <see cref="LlamaFactoryCheckoutNotFoundException"/> naming what is missing.</summary>
    public static string RequireDatasetInfo(string llamaFactoryDir)
    {
        var root = Path.GetFullPath(llamaFactoryDir);
        if (!Directory.Exists(root))
            throw new LlamaFactoryCheckoutNotFoundException(
                $"LLaMA-Factory checkout not found at '{root}'. Clone it there (git clone https://github.com/hiyouga/LLaMA-Factory) or give its location.");
        var info = Path.Combine(root, "data", "dataset_info.json");
        if (!File.Exists(info))
            throw new LlamaFactoryCheckoutNotFoundException(
                $"'{root}' is not a LLaMA-Factory checkout: '{info}' does not exist.");
        return info;
    }

    /// <summary>The <c>columns</c> of the entry: <c>messages</c> plus the media keys the ShareGPT export writes for the type.</summary>
    public static IReadOnlyDictionary<string, string> Columns(ExportFileType type)
    {
        var columns = new Dictionary<string, string> { [ShareGptLayout.MessagesKey] = ShareGptLayout.MessagesKey };
        foreach (var key in ShareGptLayout.MediaKeys(type)) columns[key] = key;
        return columns;
    }

    /// <summary>
    /// Adds or replaces <paramref name="datasetName"/> in the checkout's <c>dataset_info.json</c>; other entries and
    /// their order are kept. The file is replaced atomically.
    /// </summary>
    public static DatasetRegistration Register(string llamaFactoryDir, string datasetName, string datasetFile, ExportFileType type)
    {
        ValidateDatasetName(datasetName);
        var file = Path.GetFullPath(datasetFile);
        if (!File.Exists(file)) throw new FileNotFoundException($"Dataset file '{file}' does not exist.", file);
        var infoPath = RequireDatasetInfo(llamaFactoryDir);

        JsonObject info;
        try
        {
            info = JsonNode.Parse(File.ReadAllText(infoPath), documentOptions: new JsonDocumentOptions { AllowTrailingCommas = true }) as JsonObject
                   ?? throw new InvalidDataException($"'{infoPath}' is not a JSON object.");
        }
        catch (JsonException ex)
        {
            throw new InvalidDataException($"'{infoPath}' is not valid JSON: {ex.Message}", ex);
        }

        var sha1 = Sha1Of(file);
        var columns = Columns(type);
        var replaced = info.ContainsKey(datasetName);
        var columnsNode = new JsonObject();
        foreach (var (key, value) in columns) columnsNode[key] = value;
        info[datasetName] = new JsonObject
        {
            ["file_name"] = file,
            ["file_sha1"] = sha1,
            ["formatting"] = "sharegpt",
            ["columns"] = columnsNode,
            ["tags"] = new JsonObject
            {
                ["role_tag"] = ShareGptLayout.RoleKey,
                ["content_tag"] = ShareGptLayout.ContentKey,
                ["user_tag"] = ShareGptLayout.UserRole,
                ["assistant_tag"] = ShareGptLayout.AssistantRole,
            },
        };

        var temp = infoPath + ".partial";
        File.WriteAllText(temp, JsonText.Serialize(writer => info.WriteTo(writer), indented: true) + "\n");
        File.Move(temp, infoPath, overwrite: true);
        return new DatasetRegistration(infoPath, datasetName, file, sha1, columns, replaced);
    }

    /// <summary>LLaMA-Factory takes <c>dataset: a,b</c>: a name with a comma would read as two datasets.</summary>
    public static void ValidateDatasetName(string datasetName)
    {
        if (string.IsNullOrWhiteSpace(datasetName))
            throw new ArgumentException("A dataset name is required.", nameof(datasetName));
        if (datasetName.Contains(',') || datasetName != datasetName.Trim())
            throw new ArgumentException($"Dataset name '{datasetName}' must not contain commas or surrounding spaces (LLaMA-Factory splits dataset lists on commas).", nameof(datasetName));
    }

    public static string Sha1Of(string path)
    {
        using var stream = File.OpenRead(path);
        return Convert.ToHexStringLower(SHA1.HashData(stream));
    }
}

/// <summary>ms-swift takes a local dataset file directly: <c>swift sft --dataset PATH</c> (register_dataset.py's ms_swift mode).</summary>
public static class MsSwiftDataset
{
    /// <summary>The arguments to pass: <c>["--dataset", absolute path]</c>.</summary>
    public static IReadOnlyList<string> Arguments(string datasetFile)
    {
        var file = Path.GetFullPath(datasetFile);
        if (!File.Exists(file)) throw new FileNotFoundException($"Dataset file '{file}' does not exist.", file);
        return ["--dataset", file];
    }

    /// <summary>The same, as one shell-quoted string.</summary>
    public static string CommandLine(string datasetFile) => string.Join(' ', Arguments(datasetFile).Select(ShellQuote.Quote));
}

internal static class ShellQuote
{
    public static string Quote(string argument) =>
        argument.Length > 0 && argument.All(c => char.IsLetterOrDigit(c) || "-_./=:@".Contains(c))
            ? argument
            : "'" + argument.Replace("'", "'\\''") + "'";
}
