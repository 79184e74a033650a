using System.CommandLine;
using System.Security.Cryptography;
using MerFactory.Speech.Engines;
using Microsoft.Extensions.Options;

namespace MerFactory.Cli;

/// <summary>
/// <c>merfactory models install [--from FOLDER] [--models-dir DIR] [names...]</c> and <c>merfactory models list</c>:
/// puts the models the engines need into the models folder, verifying every file's checksum, so a corrupt or partial
/// file never looks installed.
/// </summary>
internal static class ModelsCommand
{
    public static readonly Option<string?> From = new("--from") { Description = "Install from a local folder (the layout of ../shared/data) instead of downloading." };
    public static readonly Option<string> ModelsDir = new("--models-dir") { Description = "Models folder.", DefaultValueFactory = _ => WhisperOptions.DefaultModelDirectory };
    public static readonly Option<string?> Mirror = new("--mirror") { Description = "Download from this base URL (a mirror holding the files under their install names) instead of the public URLs." };
    public static readonly Argument<string[]> Names = new("names") { Description = "Models to install (default: all; with --from, those present in FOLDER).", Arity = ArgumentArity.ZeroOrMore };

    public static Command Create()
    {
        var install = new Command("install", "Installs models (downloads, or copies from --from FOLDER), verifying checksums.") { From, ModelsDir, Mirror, Names };
        install.SetAction((parse, ct) => InstallAsync(parse.GetValue(Names) ?? [], parse.GetValue(From), parse.GetValue(ModelsDir)!, parse.GetValue(Mirror), ct));
        var listDir = new Option<string>("--models-dir") { Description = "Models folder.", DefaultValueFactory = _ => WhisperOptions.DefaultModelDirectory };
        var list = new Command("list", "Lists the known models and whether they are installed.") { listDir };
        list.SetAction(parse => List(parse.GetValue(listDir)!));
        return new Command("models", "Installs and lists the models MerFactory uses; pulls GGUF models for --huggingface-model.") { install, list, ModelsPullCommand.Create() };
    }

    private static int List(string modelsDir)
    {
        Console.WriteLine($"Models folder: {modelsDir}");
        foreach (var model in ModelCatalog.All)
        {
            var files = InstalledFiles(model, modelsDir);
            var state = files.All(File.Exists) ? "installed" : files.Any(File.Exists) ? "incomplete" : "not installed";
            Console.WriteLine($"  {model.Name,-16} {state,-14} {model.Description}");
        }
        return 0;
    }

    private static IEnumerable<string> InstalledFiles(ModelEntry model, string modelsDir) =>
        model.Whisper is { } w ? [Path.Combine(modelsDir, w.FileName)] : model.Files.Select(f => Path.Combine(modelsDir, f.InstallPath));

    private static async Task<int> InstallAsync(string[] names, string? from, string modelsDir, string? mirror, CancellationToken cancellationToken)
    {
        if (from is not null && !Directory.Exists(from)) return Fail($"--from folder '{from}' does not exist.");
        var unknown = names.Where(n => ModelCatalog.Find(n) is null).ToList();
        if (unknown.Count > 0) return Fail($"Unknown model{(unknown.Count > 1 ? "s" : "")} {string.Join(", ", unknown.Select(n => $"'{n}'"))}. Known models: {string.Join(", ", ModelCatalog.All.Select(m => m.Name))}.");

        var explicitNames = names.Length > 0;
        var models = explicitNames ? names.Select(n => ModelCatalog.Find(n)!).Distinct().ToList() : ModelCatalog.All.ToList();
        Directory.CreateDirectory(modelsDir);
        var failures = 0;
        foreach (var model in models)
        {
            try
            {
                if (from is not null && !explicitNames && !AnyLocalCopy(model, from))
                {
                    Console.WriteLine($"{model.Name}: not in {from}, skipped.");
                    continue;
                }
                Console.WriteLine($"{model.Name}: {model.Description}");
                Console.WriteLine($"  Licence: {model.Licence}");
                var installed = model.Whisper is { } whisper
                    ? await InstallWhisperAsync(whisper, from, modelsDir, mirror, cancellationToken)
                    : await InstallFilesAsync(model, from, modelsDir, mirror, cancellationToken);
                Console.WriteLine($"  Installed in {installed}");
                if (model.Name == AuEngine.Clnf.ClnfModel.InstallName) Compile(modelsDir);
            }
            catch (ModelInstallException e)
            {
                failures++;
                Console.Error.WriteLine($"error: {model.Name}: {e.Message}");
            }
            catch (SpeechModelException e)
            {
                failures++;
                Console.Error.WriteLine($"error: {model.Name}: {e.Message}");
            }
        }
        return failures == 0 ? 0 : 1;
    }

    /// <summary>Parses the CLNF model once now, so the first run starts from its compiled form.</summary>
    private static void Compile(string modelsDir)
    {
        var options = new AuEngine.Models.AuModelOptions { ModelsDirectory = modelsDir };
        var main = options.ResolvedClnfModelPath;
        var compiled = AuEngine.Clnf.ClnfModel.LoadCompiled(main, options.CompiledPathFor(AuEngine.Clnf.ClnfModel.CompiledKind, main));
        Console.WriteLine(compiled.Outcome == AuEngine.Models.CompiledModelOutcome.NotStored
            ? $"  Not compiled: {compiled.Reason}"
            : $"  Compiled to {compiled.CompiledPath}");
    }

    private static int Fail(string message)
    {
        Console.Error.WriteLine($"error: {message}");
        return 1;
    }

    private static bool AnyLocalCopy(ModelEntry model, string from) =>
        model.Whisper is { } w ? FindLocal(from, [w.FileName, $"models/{w.FileName}"]) is not null
            : model.Files.Any(f => FindLocal(from, f.LocalCandidates) is not null); // system copies (Debian packages) count

    private static string? FindLocal(string? from, IEnumerable<string> candidates) =>
        candidates.Select(c => Path.IsPathRooted(c) ? c : from is null ? null : Path.Combine(from, c)).FirstOrDefault(p => p is not null && File.Exists(p));

    private static async Task<string> InstallWhisperAsync(WhisperModelDescriptor whisper, string? from, string modelsDir, string? mirror, CancellationToken cancellationToken)
    {
        if (from is null)
        {
            var descriptor = mirror is null ? whisper : whisper with { Url = new Uri(new Uri(mirror.TrimEnd('/') + "/"), whisper.FileName) };
            using var http = new HttpClient { Timeout = Timeout.InfiniteTimeSpan };
            var installer = new WhisperModelInstaller(http, Options.Create(new WhisperOptions { ModelDirectory = modelsDir }));
            return await installer.InstallAsync(descriptor, cancellationToken: cancellationToken);
        }
        var local = FindLocal(from, [whisper.FileName, $"models/{whisper.FileName}"])
            ?? throw new ModelInstallException($"{from} has no {whisper.FileName} (looked in {from} and {Path.Combine(from, "models")}).");
        await CopyVerifiedAsync(local, Path.Combine(modelsDir, whisper.FileName), HashAlgorithmName.SHA1, whisper.Sha1, cancellationToken);
        WhisperModelFile.Validate(Path.Combine(modelsDir, whisper.FileName));
        return Path.Combine(modelsDir, whisper.FileName);
    }

    private static async Task<string> InstallFilesAsync(ModelEntry model, string? from, string modelsDir, string? mirror, CancellationToken cancellationToken)
    {
        using var http = new HttpClient { Timeout = Timeout.InfiniteTimeSpan };
        foreach (var file in model.Files)
        {
            var target = Path.Combine(modelsDir, file.InstallPath);
            if (File.Exists(target) && string.Equals(await HashAsync(target, HashAlgorithmName.SHA256, cancellationToken), file.Sha256, StringComparison.OrdinalIgnoreCase)) continue;
            // System copies (Debian packages) count as local even without --from.
            var local = FindLocal(from, file.LocalCandidates);
            if (local is not null)
            {
                await CopyVerifiedAsync(local, target, HashAlgorithmName.SHA256, file.Sha256, cancellationToken);
                continue;
            }
            if (from is not null)
            {
                throw new ModelInstallException($"{from} has no {file.InstallPath} (looked for {string.Join(", ", file.LocalCandidates)}).{Hint(model)}");
            }
            var url = mirror is not null ? new Uri(new Uri(mirror.TrimEnd('/') + "/"), file.InstallPath)
                : file.Url ?? throw new ModelInstallException($"{file.InstallPath} cannot be downloaded directly.{Hint(model)}");
            await DownloadVerifiedAsync(http, url, target, file.Sha256, cancellationToken);
        }
        // One file: its path; several: the folder they share (e.g. openface/).
        return Path.Combine(modelsDir, model.Files.Count == 1 ? model.Files[0].InstallPath : model.Files[0].InstallPath.Split('/')[0]);
    }

    private static string Hint(ModelEntry model) => model.ManualHint is null ? "" : " " + model.ManualHint;

    private static async Task CopyVerifiedAsync(string source, string target, HashAlgorithmName algorithm, string expected, CancellationToken cancellationToken)
    {
        var actual = await HashAsync(source, algorithm, cancellationToken);
        if (!string.Equals(actual, expected, StringComparison.OrdinalIgnoreCase))
        {
            throw new ModelInstallException($"checksum mismatch for {source}: {algorithm.Name} {actual}, expected {expected}. The file is corrupt or a different version.");
        }
        Directory.CreateDirectory(Path.GetDirectoryName(target)!);
        var partial = target + ".partial";
        try
        {
            File.Copy(source, partial, overwrite: true);
            File.Move(partial, target, overwrite: true);
        }
        finally
        {
            if (File.Exists(partial)) File.Delete(partial);
        }
    }

    private static async Task DownloadVerifiedAsync(HttpClient http, Uri url, string target, string expectedSha256, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(target)!);
        var partial = target + ".partial";
        try
        {
            using var response = await http.GetAsync(url, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
            if (!response.IsSuccessStatusCode) throw new ModelInstallException($"downloading {url} failed: HTTP {(int)response.StatusCode} {response.ReasonPhrase}.");
            await using (var body = await response.Content.ReadAsStreamAsync(cancellationToken))
            await using (var file = File.Create(partial))
            {
                await body.CopyToAsync(file, cancellationToken);
            }
            var actual = await HashAsync(partial, HashAlgorithmName.SHA256, cancellationToken);
            if (!string.Equals(actual, expectedSha256, StringComparison.OrdinalIgnoreCase))
            {
                throw new ModelInstallException($"checksum mismatch for the download of {url}: SHA256 {actual}, expected {expectedSha256}. Try again, or install with --from.");
            }
            File.Move(partial, target, overwrite: true);
        }
        catch (HttpRequestException e)
        {
            throw new ModelInstallException($"downloading {url} failed: {e.Message}", e);
        }
        finally
        {
            if (File.Exists(partial)) File.Delete(partial);
        }
    }

    private static async Task<string> HashAsync(string path, HashAlgorithmName algorithm, CancellationToken cancellationToken)
    {
        await using var stream = File.OpenRead(path);
        var hash = algorithm == HashAlgorithmName.SHA1
            ? await SHA1.HashDataAsync(stream, cancellationToken)
            : await SHA256.HashDataAsync(stream, cancellationToken);
        return Convert.ToHexStringLower(hash);
    }
}

/// <summary>A model could not be installed; the message names the file and the cause.</summary>
internal sealed class ModelInstallException(string message, Exception? inner = null) : Exception(message, inner);
