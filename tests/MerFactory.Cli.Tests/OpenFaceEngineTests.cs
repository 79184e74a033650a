using System.Text.Json;
using MerFactory.Testing;

namespace MerFactory.Cli.Tests;

/// <summary>
/// Issue 19, acceptance 5: the OpenFace engines. A CSV already at OUT/{id}/{id}.csv is reused byte for byte and
/// analysed exactly as <c>merfactory facs</c> analyses it; OPENFACE_EXECUTABLE runs an external FeatureExtraction
/// (here a stand-in script that writes an OpenFace CSV) instead of the native engine.
/// </summary>
public sealed class OpenFaceEngineTests : IDisposable
{
    private readonly string _work = Directory.CreateTempSubdirectory("mf-cli-openface-").FullName;
    private static readonly string ReferenceCsv = SharedData.DataPath("reference", "default_openface2017.csv");

    public void Dispose() => Directory.Delete(_work, recursive: true);

    [Fact]
    public async Task A_provided_csv_is_kept_byte_identical_and_analysed_like_the_facs_command()
    {
        var input = Input();
        var output = Path.Combine(_work, "out");
        Directory.CreateDirectory(Path.Combine(output, "default"));
        var provided = Path.Combine(output, "default", "default.csv");
        File.Copy(ReferenceCsv, provided);

        var (exit, log) = await CliRunner.RunAsync("process", input, output, "--type", "AU");
        Assert.True(exit == 0, log);
        Assert.Equal(await File.ReadAllBytesAsync(ReferenceCsv), await File.ReadAllBytesAsync(provided));

        var direct = Path.Combine(_work, "direct");
        var (facsExit, facsLog) = await CliRunner.RunAsync("facs", provided, direct);
        Assert.True(facsExit == 0, facsLog);
        AssertSameAnalysis(Path.Combine(output, "default", "default_au_analysis.json"), Path.Combine(direct, "default", "default_au_analysis.json"));
    }

    [Fact]
    public async Task Openface_executable_runs_the_external_feature_extraction()
    {
        var input = Input();
        var output = Path.Combine(_work, "out");
        // A stand-in for OpenFace's FeatureExtraction: same arguments (-f IN -out_dir DIR -aus), writes DIR/{stem}.csv.
        var script = Path.Combine(_work, "FeatureExtraction");
        await File.WriteAllTextAsync(script, $$"""
            #!/bin/sh
            while [ $# -gt 0 ]; do
              case "$1" in
                -f) in="$2"; shift 2;;
                -out_dir) out="$2"; shift 2;;
                *) shift;;
              esac
            done
            mkdir -p "$out"
            stem=$(basename "$in"); stem="${stem%.*}"
            cp '{{ReferenceCsv}}' "$out/$stem.csv"
            echo "stand-in ran on $in" >&2
            """.Replace("\r", ""));
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(script, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);

        var (exit, log) = await CliRunner.RunAsync(new Dictionary<string, string> { ["OPENFACE_EXECUTABLE"] = script }, "process", input, output, "--type", "AU");
        Assert.True(exit == 0, log);
        Assert.Equal(await File.ReadAllBytesAsync(ReferenceCsv), await File.ReadAllBytesAsync(Path.Combine(output, "default", "default.csv")));

        var direct = Path.Combine(_work, "direct");
        var (facsExit, facsLog) = await CliRunner.RunAsync("facs", ReferenceCsv, direct);
        Assert.True(facsExit == 0, facsLog);
        AssertSameAnalysis(Path.Combine(output, "default", "default_au_analysis.json"), Path.Combine(direct, "default_openface2017", "default_openface2017_au_analysis.json"));
    }

    private string Input()
    {
        var input = Path.Combine(_work, "in");
        Directory.CreateDirectory(input);
        File.Copy(SharedData.DataPath("media", "openface_samples", "default.wmv"), Path.Combine(input, "default.wmv"));
        return input;
    }

    /// <summary>Everything but the source path (a media file in one case, the CSV in the other) must be equal.</summary>
    private static void AssertSameAnalysis(string processJson, string facsJson)
    {
        static Dictionary<string, string> Fields(string path) =>
            JsonDocument.Parse(File.ReadAllText(path)).RootElement.EnumerateObject()
                .Where(p => p.Name != "source_path").ToDictionary(p => p.Name, p => p.Value.GetRawText());
        var fromProcess = Fields(processJson);
        Assert.NotEmpty(fromProcess);
        Assert.Equal(Fields(facsJson), fromProcess);
    }
}
