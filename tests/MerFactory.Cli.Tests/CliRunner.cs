using System.Diagnostics;

namespace MerFactory.Cli.Tests;

/// <summary>Runs the built <c>merfactory</c> CLI as a child process, as a user would.</summary>
internal static class CliRunner
{
    public static string CliDll => Path.Combine(AppContext.BaseDirectory, "merfactory.dll");

    public static Task<(int ExitCode, string Output)> RunAsync(params string[] args) => RunAsync(null, args);

    public static Task<(int ExitCode, string Output)> RunAsync(IReadOnlyDictionary<string, string>? environment, params string[] args) =>
        RunInAsync(null, environment, args);

    /// <summary>Runs the CLI in <paramref name="workingDirectory"/> (null: the test's own), where it reads <c>.env</c>.</summary>
    public static async Task<(int ExitCode, string Output)> RunInAsync(string? workingDirectory, IReadOnlyDictionary<string, string>? environment, params string[] args)
    {
        using var process = StartIn(workingDirectory, environment, args);
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromMinutes(8));
        return (process.ExitCode, await stdout + await stderr);
    }

    /// <summary>Starts the CLI without waiting (for tests that kill it midway); output is redirected.</summary>
    public static Process Start(IReadOnlyDictionary<string, string>? environment, params string[] args) => StartIn(null, environment, args);

    /// <summary>Starts the CLI in a working directory without waiting; output is redirected.</summary>
    public static Process StartIn(string? workingDirectory, IReadOnlyDictionary<string, string>? environment, params string[] args)
    {
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = workingDirectory ?? "" };
        psi.ArgumentList.Add(CliDll);
        foreach (var a in args) psi.ArgumentList.Add(a);
        psi.Environment["NO_COLOR"] = "1";
        // Models from the shared folder (what `merfactory models install --from` would install).
        psi.Environment["AuModels__ModelsDirectory"] = MerFactory.Testing.SharedData.Data;
        psi.Environment["AuModels__YuNetModelPath"] = Path.Combine("models", "face_detection_yunet_2026may.onnx");
        psi.Environment["Speech__Vad__ModelPath"] = MerFactory.Testing.SharedData.DataPath("models", "silero_vad.onnx");
        // No key from the developer's shell may pick a real provider.
        foreach (var key in new[] { "GOOGLE_API_KEY", "OPENAI_API_KEY", "OLLAMA_HOST", "HF_API_BASE_URL" }) psi.Environment.Remove(key);
        foreach (var (key, value) in environment ?? new Dictionary<string, string>()) psi.Environment[key] = value;
        return Process.Start(psi)!;
    }

    public static async Task FfmpegAsync(params string[] args)
    {
        var psi = new ProcessStartInfo("ffmpeg") { RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var a in new[] { "-hide_banner", "-loglevel", "error", "-y" }.Concat(args)) psi.ArgumentList.Add(a);
        using var process = Process.Start(psi)!;
        var err = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0) throw new InvalidOperationException("ffmpeg failed: " + await err);
    }
}
