using System.Diagnostics;
using System.Text;
using MerFactory.Facs.OpenFace;

namespace MerFactory.AuEngine.External;

/// <summary>What one run of FeatureExtraction left behind.</summary>
/// <param name="CsvPath">The AU CSV, <c>{outputDirectory}/{input stem}.csv</c>.</param>
/// <param name="Reused">True when the CSV already existed and OpenFace was not run (MER-Factory's cache rule).</param>
public sealed record OpenFaceRunResult(string CsvPath, bool Reused, int ExitCode, string StandardOutput, string StandardError, TimeSpan Elapsed);

/// <summary>
/// Runs OpenFace's <c>FeatureExtraction -f IN -out_dir DIR -aus</c> as MER-Factory does (spec §3.1), for videos and
/// single images, and returns the CSV it writes. The alternative to the native engine for users who have OpenFace.
/// </summary>
public sealed class OpenFaceFeatureExtraction(OpenFaceFeatureExtractionOptions options)
{
    /// <summary>Throws <see cref="OpenFaceNotAvailableException"/> unless the configured binary exists and is executable.</summary>
    public string EnsureAvailable()
    {
        var path = options.ExecutablePath;
        if (string.IsNullOrWhiteSpace(path))
        {
            throw new OpenFaceNotAvailableException(
                $"OpenFace is not configured: set {OpenFaceFeatureExtractionOptions.SectionName}:ExecutablePath to OpenFace's FeatureExtraction binary, or use the native AU engine.");
        }

        if (!File.Exists(path))
        {
            throw new OpenFaceNotAvailableException(
                $"OpenFace FeatureExtraction not found at '{path}' ({OpenFaceFeatureExtractionOptions.SectionName}:ExecutablePath). Install OpenFace 2.x or use the native AU engine.");
        }

        if (!OperatingSystem.IsWindows() && (File.GetUnixFileMode(path) & (UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute)) == 0)
        {
            throw new OpenFaceNotAvailableException($"OpenFace FeatureExtraction at '{path}' is not executable (chmod +x it).");
        }

        return path;
    }

    /// <summary>The CSV OpenFace writes for <paramref name="inputPath"/> into <paramref name="outputDirectory"/>.</summary>
    public static string CsvPathFor(string inputPath, string outputDirectory) =>
        Path.Combine(outputDirectory, Path.GetFileNameWithoutExtension(inputPath) + ".csv");

    /// <summary>
    /// Runs OpenFace on <paramref name="inputPath"/>. Cancellation (or the configured timeout) kills the process tree.
    /// </summary>
    /// <param name="reuseExisting">Return an existing non-empty CSV without running OpenFace (MER-Factory skips the run then).</param>
    /// <param name="onStandardErrorLine">Receives OpenFace's stderr lines as they come (progress, warnings).</param>
    public async Task<OpenFaceRunResult> RunAsync(
        string inputPath,
        string outputDirectory,
        bool reuseExisting = false,
        Action<string>? onStandardErrorLine = null,
        CancellationToken cancellationToken = default)
    {
        if (!File.Exists(inputPath)) throw new FileNotFoundException($"Input for OpenFace not found: {inputPath}", inputPath);
        var csvPath = CsvPathFor(inputPath, outputDirectory);
        if (reuseExisting && File.Exists(csvPath) && new FileInfo(csvPath).Length > 0)
        {
            return new OpenFaceRunResult(csvPath, Reused: true, 0, string.Empty, string.Empty, TimeSpan.Zero);
        }

        var executable = EnsureAvailable();
        Directory.CreateDirectory(outputDirectory);

        var start = new ProcessStartInfo(executable)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            CreateNoWindow = true,
        };
        foreach (var argument in (string[])["-f", Path.GetFullPath(inputPath), "-out_dir", Path.GetFullPath(outputDirectory), "-aus"]) start.ArgumentList.Add(argument);
        foreach (var argument in options.ExtraArguments) start.ArgumentList.Add(argument);

        using var timeout = options.Timeout is { } limit ? new CancellationTokenSource(limit) : null;
        using var linked = timeout is null ? null : CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        var token = linked?.Token ?? cancellationToken;

        var stopwatch = Stopwatch.StartNew();
        using var process = new Process { StartInfo = start };
        try
        {
            process.Start();
        }
        catch (System.ComponentModel.Win32Exception error)
        {
            throw new OpenFaceNotAvailableException($"OpenFace FeatureExtraction at '{executable}' could not be started: {error.Message}");
        }

        var stdoutTask = process.StandardOutput.ReadToEndAsync(CancellationToken.None);
        var stderrTask = ReadLinesAsync(process.StandardError, onStandardErrorLine);
        try
        {
            await process.WaitForExitAsync(token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // OpenFace can run for minutes on a long video: stop it and whatever it started.
            try
            {
                process.Kill(entireProcessTree: true);
            }
            catch (InvalidOperationException)
            {
                // exited meanwhile
            }

            await process.WaitForExitAsync(CancellationToken.None).ConfigureAwait(false);
            if (timeout?.IsCancellationRequested == true && !cancellationToken.IsCancellationRequested)
            {
                throw new OpenFaceFailedException(inputPath, -1, await stderrTask.ConfigureAwait(false),
                    $"OpenFace did not finish {inputPath} within {options.Timeout} and was stopped.");
            }

            throw;
        }

        var stdout = await stdoutTask.ConfigureAwait(false);
        var stderr = await stderrTask.ConfigureAwait(false);
        stopwatch.Stop();

        if (process.ExitCode != 0)
        {
            throw new OpenFaceFailedException(inputPath, process.ExitCode, stderr,
                $"OpenFace failed to process {inputPath} (exit code {process.ExitCode}): {Tail(stderr)}");
        }

        if (!File.Exists(csvPath))
        {
            throw new OpenFaceFailedException(inputPath, 0, stderr,
                $"OpenFace exited without writing {csvPath} for {inputPath}: {Tail(stderr)}");
        }

        return new OpenFaceRunResult(csvPath, Reused: false, process.ExitCode, stdout, stderr, stopwatch.Elapsed);
    }

    /// <summary>Runs OpenFace (or reuses its CSV) and reads the AU table.</summary>
    public async Task<OpenFaceTable> ExtractAsync(string inputPath, string outputDirectory, bool reuseExisting = false, CancellationToken cancellationToken = default)
    {
        var run = await RunAsync(inputPath, outputDirectory, reuseExisting, cancellationToken: cancellationToken).ConfigureAwait(false);
        return OpenFaceCsv.Read(run.CsvPath);
    }

    private string Tail(string text)
    {
        var trimmed = text.Trim();
        if (trimmed.Length == 0) return "(no error output)";
        return trimmed.Length <= options.ErrorTailCharacters ? trimmed : "…" + trimmed[^options.ErrorTailCharacters..];
    }

    private static async Task<string> ReadLinesAsync(StreamReader reader, Action<string>? onLine)
    {
        var all = new StringBuilder();
        while (await reader.ReadLineAsync(CancellationToken.None).ConfigureAwait(false) is { } line)
        {
            all.AppendLine(line);
            onLine?.Invoke(line);
        }

        return all.ToString();
    }
}
