using System.Diagnostics;

namespace MerFactory.Cli.Tests;

/// <summary>Runs the built <c>merfactory</c> CLI as a child process, as a user would.</summary>
internal static class CliRunner
{
    public static string CliDll => Path.Combine(AppContext.BaseDirectory, "merfactory.dll");

    public static async Task<(int ExitCode, string Output)> RunAsync(params string[] args)
    {
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        psi.ArgumentList.Add(CliDll);
        foreach (var a in args) psi.ArgumentList.Add(a);
        psi.Environment["NO_COLOR"] = "1";
        // Models from the shared folder (what `merfactory models install --from` would install).
        psi.Environment["AuModels__ModelsDirectory"] = MerFactory.Testing.SharedData.Data;
        psi.Environment["AuModels__YuNetModelPath"] = Path.Combine("models", "face_detection_yunet_2026may.onnx");
        using var process = Process.Start(psi)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromMinutes(5));
        return (process.ExitCode, await stdout + await stderr);
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
