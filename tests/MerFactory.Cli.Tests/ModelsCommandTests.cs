using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using MerFactory.Testing;

namespace MerFactory.Cli.Tests;

public sealed class ModelsCommandTests : IDisposable
{
    private readonly string _work = Directory.CreateTempSubdirectory("mf-models-").FullName;

    private string ModelsDir => Path.Combine(_work, "models");

    public void Dispose() => Directory.Delete(_work, recursive: true);

    [Fact]
    public async Task InstallFromTheSharedFolderCopiesVerifiedModelsAndShowsTheirLicences()
    {
        var (exit, output) = await CliRunner.RunAsync("models", "install", "--from", SharedData.DataPath(), "--models-dir", ModelsDir,
            "silero-vad", "yunet", "openface-au", "dlib-landmarks");

        Assert.True(exit == 0, output);
        Assert.Equal(Sha256(SharedData.DataPath("models", "silero_vad.onnx")), Sha256(Path.Combine(ModelsDir, "silero_vad.onnx")));
        Assert.True(File.Exists(Path.Combine(ModelsDir, "face_detection_yunet_2026may.onnx")));
        var sharedPredictors = Directory.GetFiles(SharedData.DataPath("openface", "AU_predictors"), "*", SearchOption.AllDirectories).Length;
        Assert.Equal(sharedPredictors, Directory.GetFiles(Path.Combine(ModelsDir, "openface", "AU_predictors"), "*", SearchOption.AllDirectories).Length);
        Assert.True(File.Exists(Path.Combine(ModelsDir, "openface", "In-the-wild_aligned_PDM_68.txt")));
        Assert.True(File.Exists(Path.Combine(ModelsDir, "openface", "tris_68_full.txt")));
        Assert.True(File.Exists(Path.Combine(ModelsDir, "shape_predictor_68_face_landmarks.dat")));
        Assert.Contains("NONCOMMERCIAL RESEARCH USE ONLY", output);
        Assert.Empty(Directory.GetFiles(ModelsDir, "*.partial", SearchOption.AllDirectories));

        var (listExit, list) = await CliRunner.RunAsync("models", "list", "--models-dir", ModelsDir);
        Assert.Equal(0, listExit);
        Assert.Matches(@"silero-vad\s+installed", list);
        Assert.Matches(@"whisper-base\s+not installed", list);
    }

    [Fact]
    public async Task OpenfaceClnfInstallsFromTheSharedFolderAndLoads()
    {
        var (exit, output) = await CliRunner.RunAsync("models", "install", "--from", SharedData.DataPath(), "--models-dir", ModelsDir, "openface-clnf");

        Assert.True(exit == 0, output);
        Assert.Contains("NONCOMMERCIAL RESEARCH USE ONLY", output);
        var installed = Path.Combine(ModelsDir, "openface", "clnf", "model");
        var shared = SharedData.DataPath("openface", "clnf", "model");
        foreach (var file in Directory.GetFiles(shared, "*", SearchOption.AllDirectories))
            Assert.Equal(Sha256(file), Sha256(Path.Combine(installed, Path.GetRelativePath(shared, file))));
        var model = AuEngine.Clnf.ClnfModel.Load(Path.Combine(installed, AuEngine.Clnf.ClnfModel.MainFileName));
        Assert.Equal(3, model.Main.Scales.Count);
        // Installing also compiles it into the models folder, so the first run starts from the compiled form.
        var compiled = Assert.Single(Directory.GetFiles(Path.Combine(ModelsDir, "compiled"), "openface-clnf-*.mfmodel"));
        Assert.Contains($"Compiled to {compiled}", output);
        var loaded = AuEngine.Clnf.ClnfModel.LoadCompiled(Path.Combine(installed, AuEngine.Clnf.ClnfModel.MainFileName), compiled);
        Assert.Equal(AuEngine.Models.CompiledModelOutcome.Loaded, loaded.Outcome);
    }

    [Fact]
    public async Task AFileWithTheWrongChecksumIsRejectedAndNotInstalled()
    {
        var from = Path.Combine(_work, "from");
        Directory.CreateDirectory(Path.Combine(from, "models"));
        var corrupt = await File.ReadAllBytesAsync(SharedData.DataPath("models", "silero_vad.onnx"));
        corrupt[corrupt.Length / 2] ^= 0xFF;
        await File.WriteAllBytesAsync(Path.Combine(from, "models", "silero_vad.onnx"), corrupt);

        var (exit, output) = await CliRunner.RunAsync("models", "install", "--from", from, "--models-dir", ModelsDir, "silero-vad");

        Assert.Equal(1, exit);
        Assert.Contains("checksum mismatch", output);
        Assert.Contains(Path.Combine(from, "models", "silero_vad.onnx"), output);
        Assert.False(File.Exists(Path.Combine(ModelsDir, "silero_vad.onnx")));
    }

    [Fact]
    public async Task AMissingFileInTheSourceFolderIsAClearError()
    {
        var from = Directory.CreateDirectory(Path.Combine(_work, "empty")).FullName;

        var (exit, output) = await CliRunner.RunAsync("models", "install", "--from", from, "--models-dir", ModelsDir, "yunet");

        Assert.Equal(1, exit);
        Assert.Contains($"{from} has no face_detection_yunet_2026may.onnx", output);
    }

    [Fact]
    public async Task AnUnknownModelNameIsAnErrorListingTheKnownModels()
    {
        var (exit, output) = await CliRunner.RunAsync("models", "install", "--models-dir", ModelsDir, "silero-vad", "whisper-gigantic");

        Assert.Equal(1, exit);
        Assert.Contains("Unknown model 'whisper-gigantic'", output);
        Assert.Contains("openface-au", output);
        Assert.False(Directory.Exists(ModelsDir) && Directory.EnumerateFileSystemEntries(ModelsDir).Any());
    }

    [Fact]
    public async Task DownloadsAreVerifiedAgainstTheCatalogueChecksum()
    {
        // A loopback mirror: the good file for silero-vad, a truncated one for yunet.
        var port = FreePort();
        using var listener = new HttpListener();
        listener.Prefixes.Add($"http://127.0.0.1:{port}/");
        listener.Start();
        var served = ServeAsync(listener, new Dictionary<string, byte[]>
        {
            ["/silero_vad.onnx"] = await File.ReadAllBytesAsync(SharedData.DataPath("models", "silero_vad.onnx")),
            ["/face_detection_yunet_2026may.onnx"] = (await File.ReadAllBytesAsync(SharedData.DataPath("models", "face_detection_yunet_2026may.onnx")))[..1000],
        });

        var (exit, output) = await CliRunner.RunAsync("models", "install", "--mirror", $"http://127.0.0.1:{port}/", "--models-dir", ModelsDir, "silero-vad", "yunet");
        listener.Stop();
        await served;

        Assert.Equal(1, exit);
        Assert.Equal(Sha256(SharedData.DataPath("models", "silero_vad.onnx")), Sha256(Path.Combine(ModelsDir, "silero_vad.onnx")));
        Assert.Contains("yunet: checksum mismatch for the download", output);
        Assert.False(File.Exists(Path.Combine(ModelsDir, "face_detection_yunet_2026may.onnx")));
    }

    private static async Task ServeAsync(HttpListener listener, IReadOnlyDictionary<string, byte[]> files)
    {
        while (listener.IsListening)
        {
            HttpListenerContext context;
            try
            {
                context = await listener.GetContextAsync();
            }
            catch (Exception e) when (e is HttpListenerException or ObjectDisposedException or InvalidOperationException)
            {
                return; // stopped, possibly between IsListening and GetContextAsync
            }
            if (files.TryGetValue(context.Request.Url!.AbsolutePath, out var body))
            {
                context.Response.ContentLength64 = body.Length;
                await context.Response.OutputStream.WriteAsync(body);
            }
            else
            {
                context.Response.StatusCode = 404;
            }
            context.Response.Close();
        }
    }

    private static int FreePort()
    {
        using var socket = new TcpListener(IPAddress.Loopback, 0);
        socket.Start();
        return ((IPEndPoint)socket.LocalEndpoint).Port;
    }

    private static string Sha256(string path)
    {
        using var stream = File.OpenRead(path);
        return Convert.ToHexStringLower(SHA256.HashData(stream));
    }
}
