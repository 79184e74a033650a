using System.Diagnostics;
using MerFactory.AuEngine.External;
using MerFactory.Facs.Analysis;
using MerFactory.Facs.OpenFace;
using MerFactory.Testing;

namespace MerFactory.Facs.Tests.External;

/// <summary>The external FeatureExtraction runner, driven by fake OpenFace scripts (bash) the tests write.</summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public class OpenFaceFeatureExtractionTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("facs-openface-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private string Script(string name, string body, bool executable = true)
    {
        var path = Path.Combine(_folder, name);
        File.WriteAllText(path, "#!/bin/bash\n" + body);
        if (executable) File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        return path;
    }

    private string Input(string name = "clip01.mp4")
    {
        var path = Path.Combine(_folder, name);
        File.WriteAllBytes(path, [0, 1, 2]);
        return path;
    }

    // Parses -f and -out_dir like FeatureExtraction, records its arguments, writes {stem}.csv in OpenFace's format.
    private const string FakeFeatureExtraction = """
        while [ $# -gt 0 ]; do
          case "$1" in
            -f) IN="$2"; shift 2;;
            -out_dir) OUT="$2"; shift 2;;
            *) shift;;
          esac
        done
        echo "Reading the model" >&2
        STEM=$(basename "${IN%.*}")
        cat > "$OUT/$STEM.csv" <<CSV
        frame, face_id, timestamp, confidence, success, AU01_r, AU02_r, AU04_r, AU05_r, AU06_r, AU07_r, AU09_r, AU10_r, AU12_r, AU14_r, AU15_r, AU17_r, AU20_r, AU23_r, AU25_r, AU26_r, AU45_r, AU01_c, AU02_c, AU04_c, AU05_c, AU06_c, AU07_c, AU09_c, AU10_c, AU12_c, AU14_c, AU15_c, AU17_c, AU20_c, AU23_c, AU25_c, AU26_c, AU28_c, AU45_c
        1, 0, 0.000, 0.98, 1, 0.00, 0.00, 0.00, 0.00, 0.00, 0.00, 0.00, 0.00, 0.00, 0.00, 0.00, 0.00, 0.00, 0.00, 0.00, 0.00, 0.00, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0
        2, 0, 0.033, 0.98, 1, 0.00, 0.00, 0.00, 0.00, 0.00, 0.00, 2.00, 0.00, 0.00, 0.00, 1.30, 0.00, 0.00, 0.00, 0.00, 0.00, 0.00, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 1.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0
        3, 0, 0.067, 0.98, 1, 0.00, 0.00, 0.00, 0.00, 0.00, 0.00, 0.00, 0.00, 0.00, 0.00, 0.00, 0.00, 0.00, 0.00, 0.00, 0.00, 0.00, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0
        CSV
        """;

    [Fact]
    public async Task Runs_feature_extraction_with_mer_factorys_arguments_and_returns_its_csv()
    {
        var argsFile = Path.Combine(_folder, "args.txt");
        var executable = Script("FeatureExtraction", $"printf '%s\\n' \"$@\" > '{argsFile}'\n" + FakeFeatureExtraction);
        var runner = new OpenFaceFeatureExtraction(new OpenFaceFeatureExtractionOptions { ExecutablePath = executable, ExtraArguments = ["-pose"] });
        var input = Input();
        var outDir = Path.Combine(_folder, "out", "clip01");
        var stderrLines = new List<string>();

        var run = await runner.RunAsync(input, outDir, onStandardErrorLine: stderrLines.Add);

        Assert.Equal(Path.Combine(outDir, "clip01.csv"), run.CsvPath);
        Assert.False(run.Reused);
        Assert.Equal(["-f", input, "-out_dir", outDir, "-aus", "-pose"], File.ReadAllLines(argsFile));
        Assert.Equal(["Reading the model"], stderrLines);
        Assert.Contains("Reading the model", run.StandardError);

        var result = FacialAnalysis.Analyze(OpenFaceCsv.Read(run.CsvPath));
        Assert.Equal(["Peak at 0.03s: disgust (moderate)"], result.ChronologicalEmotionPeaks);
    }

    [Fact]
    public async Task Existing_csv_is_reused_without_running_openface_when_asked()
    {
        var marker = Path.Combine(_folder, "ran.txt");
        var executable = Script("FeatureExtraction", $"touch '{marker}'\n" + FakeFeatureExtraction);
        var runner = new OpenFaceFeatureExtraction(new OpenFaceFeatureExtractionOptions { ExecutablePath = executable });
        var input = Input("default.wmv");
        var outDir = Path.Combine(_folder, "out");
        Directory.CreateDirectory(outDir);
        File.Copy(SharedData.DataPath("reference", "default_openface2017.csv"), Path.Combine(outDir, "default.csv"));

        var table = await runner.ExtractAsync(input, outDir, reuseExisting: true);

        Assert.False(File.Exists(marker));
        Assert.Equal(288, table.Count); // the imported OpenFace CSV
        var rerun = await runner.RunAsync(input, outDir, reuseExisting: false);
        Assert.True(File.Exists(marker));
        Assert.False(rerun.Reused);
    }

    [Fact]
    public async Task Missing_or_unconfigured_binary_is_reported_clearly()
    {
        var input = Input();
        var missing = Path.Combine(_folder, "nowhere", "FeatureExtraction");
        var error = await Assert.ThrowsAsync<OpenFaceNotAvailableException>(() =>
            new OpenFaceFeatureExtraction(new() { ExecutablePath = missing }).RunAsync(input, _folder));
        Assert.Contains(missing, error.Message);
        Assert.Contains("OpenFace:ExecutablePath", error.Message);

        var unconfigured = await Assert.ThrowsAsync<OpenFaceNotAvailableException>(() =>
            new OpenFaceFeatureExtraction(new()).RunAsync(input, _folder));
        Assert.Contains("not configured", unconfigured.Message);
    }

    [Fact]
    public async Task Binary_without_execute_permission_is_reported()
    {
        var executable = Script("FeatureExtraction", FakeFeatureExtraction, executable: false);
        var error = await Assert.ThrowsAsync<OpenFaceNotAvailableException>(() =>
            new OpenFaceFeatureExtraction(new() { ExecutablePath = executable }).RunAsync(Input(), _folder));
        Assert.Contains("not executable", error.Message);
    }

    [Fact]
    public async Task Missing_input_is_a_file_not_found_naming_it()
    {
        var executable = Script("FeatureExtraction", FakeFeatureExtraction);
        var input = Path.Combine(_folder, "absent.mp4");
        var error = await Assert.ThrowsAsync<FileNotFoundException>(() =>
            new OpenFaceFeatureExtraction(new() { ExecutablePath = executable }).RunAsync(input, _folder));
        Assert.Contains(input, error.Message);
    }

    [Fact]
    public async Task Failure_exit_code_carries_stderr_and_the_input()
    {
        var executable = Script("FeatureExtraction", "echo 'Could not find the landmark detection model cen_patches_0.25_of.dat' >&2\nexit 3\n");
        var input = Input("broken.avi");
        var error = await Assert.ThrowsAsync<OpenFaceFailedException>(() =>
            new OpenFaceFeatureExtraction(new() { ExecutablePath = executable }).RunAsync(input, Path.Combine(_folder, "out")));
        Assert.Equal(3, error.ExitCode);
        Assert.Contains("OpenFace failed to process", error.Message);
        Assert.Contains("broken.avi", error.Message);
        Assert.Contains("cen_patches_0.25_of.dat", error.Message);
    }

    [Fact]
    public async Task Clean_exit_without_csv_is_a_failure()
    {
        var executable = Script("FeatureExtraction", "echo 'no faces' >&2\nexit 0\n");
        var error = await Assert.ThrowsAsync<OpenFaceFailedException>(() =>
            new OpenFaceFeatureExtraction(new() { ExecutablePath = executable }).RunAsync(Input(), Path.Combine(_folder, "out")));
        Assert.Contains("without writing", error.Message);
        Assert.Contains("no faces", error.StandardError);
    }

    [Fact]
    public async Task Cancellation_kills_the_process_tree()
    {
        var pids = Path.Combine(_folder, "pids.txt");
        // The script starts a long child, records both ids, then tells the runner it has started.
        var executable = Script("FeatureExtraction", $"sleep 300 &\necho \"$$ $!\" > '{pids}'\necho started >&2\nwait\n");
        using var cancellation = new CancellationTokenSource();
        var runner = new OpenFaceFeatureExtraction(new() { ExecutablePath = executable });

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => runner.RunAsync(
            Input(), Path.Combine(_folder, "out"),
            onStandardErrorLine: line => { if (line == "started") cancellation.Cancel(); },
            cancellationToken: cancellation.Token));

        foreach (var pid in File.ReadAllText(pids).Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(int.Parse))
        {
            Assert.False(IsRunning(pid), $"process {pid} is still running");
        }
    }

    [Fact]
    public async Task Timeout_stops_a_run_that_takes_too_long()
    {
        var executable = Script("FeatureExtraction", "exec sleep 300\n");
        var runner = new OpenFaceFeatureExtraction(new() { ExecutablePath = executable, Timeout = TimeSpan.FromMilliseconds(200) });
        var error = await Assert.ThrowsAsync<OpenFaceFailedException>(() => runner.RunAsync(Input(), Path.Combine(_folder, "out")));
        Assert.Contains("was stopped", error.Message);
    }

    private static bool IsRunning(int pid)
    {
        try
        {
            using var process = Process.GetProcessById(pid);
            // A killed child may linger as a zombie until reaped; that is not running.
            return !process.HasExited && File.Exists($"/proc/{pid}/stat") && !File.ReadAllText($"/proc/{pid}/stat").Split(' ')[2].StartsWith('Z');
        }
        catch (ArgumentException)
        {
            return false;
        }
    }
}
