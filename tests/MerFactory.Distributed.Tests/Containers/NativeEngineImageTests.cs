using System.Diagnostics;
using Grpc.Core;
using MerFactory.Protos.Au;
using MerFactory.Protos.Transcribe;
using MerFactory.Speech;
using MerFactory.Speech.Text;
using MerFactory.Testing;
using ProtoRef = MerFactory.Protos.Common.ObjectRef;

namespace MerFactory.Distributed.Tests.Containers;

/// <summary>
/// The images whose services run native code (OpenCV and ONNX Runtime in au-service, pocketsphinx, ONNX Runtime and
/// Whisper.net in transcribe, llama.cpp in hf-server) do real work inside the image: every native library they ship
/// resolves with the image's own loader, and each service loads its engine and answers with a real result. Models are
/// installed into the container's root as a deployment mounts them (`merfactory models install --from ../shared/data`).
/// </summary>
[Collection(ContainerImagesCollection.Name)]
public sealed class NativeEngineImageTests(ContainerImagesFixture images)
{
    private readonly int _port = FreePorts.Block(2);

    private Dictionary<string, string> ServiceSettings(params (string Key, string Value)[] settings)
    {
        var all = images.StoreSettings();
        all["MERFACTORY_GRPC_PORT"] = _port.ToString();
        all["MERFACTORY_HTTP_PORT"] = (_port + 1).ToString();
        all["Auth__Tokens__services"] = DistributedFixture.ServiceToken;
        foreach (var (key, value) in settings) all[key] = value;
        return all;
    }

    [Fact]
    public async Task The_au_service_image_loads_its_engine_and_analyses_a_photo()
    {
        Assert.Empty(await NativeLibraryCheck.UnresolvedAsync(images, "au-service"));
        await using var container = await images.StartAsync("au-service", ServiceSettings(("AuModels__ModelsDirectory", "/models")),
            upper => InstallModelsAsync(Path.Combine(upper, "models"), "yunet", "openface-au", "openface-clnf"));
        using var store = images.CreateStore();
        var key = $"uploads/{Guid.NewGuid():N}/single_face.jpg";
        await using (var photo = File.OpenRead(SharedData.DataPath("media", "pyfeat", "single_face.jpg"))) await store.PutAsync(key, photo);

        using var channel = DistributedFixture.Channel(_port);
        var reply = await CallAsync(container, () => new AuAnalysis.AuAnalysisClient(channel).AnalyzeAsync(
            new AnalyzeRequest { Source = new ProtoRef { Bucket = store.Bucket, Key = key }, IsImage = true },
            new CallOptions(deadline: DateTime.UtcNow.AddMinutes(3)).WithWaitForReady()).ResponseAsync);

        Assert.False(reply.NoFaceFound, container.Output);
        Assert.Equal(1, reply.SuccessfulRows);
        await using var csv = await store.OpenReadAsync(reply.AuCsv.Key);
        var lines = (await new StreamReader(csv).ReadToEndAsync()).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var header = lines[0].Split(',').Select(c => c.Trim()).ToList();
        var row = lines[1].Split(',').Select(c => c.Trim()).ToList();
        // A detected face, aligned and measured: AU12 (lip corner puller) has a real intensity in OpenFace's range.
        Assert.Equal("1", row[header.IndexOf("success")]);
        Assert.InRange(double.Parse(row[header.IndexOf("AU12_r")], System.Globalization.CultureInfo.InvariantCulture), 0, 5);
        Assert.DoesNotContain("AU models not loaded", container.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_transcribe_image_transcribes_speech_offline_and_runs_whisper_natively()
    {
        Assert.Empty(await NativeLibraryCheck.UnresolvedAsync(images, "transcribe"));
        await using var container = await images.StartAsync("transcribe",
            ServiceSettings(("Speech__ModelsDirectory", "/models/whisper"), ("Speech__Vad__ModelPath", "/models/silero_vad.onnx")),
            async upper =>
            {
                await InstallModelsAsync(Path.Combine(upper, "models"), "silero-vad");
                // No Whisper model can be fetched here: a random-weight one in whisper.cpp's layout runs the same native path.
                Directory.CreateDirectory(Path.Combine(upper, "models", "whisper"));
                MerFactory.Speech.Tests.TinyWhisperModel.Write(Path.Combine(upper, "models", "whisper", "ggml-tiny.bin"));
            });
        using var store = images.CreateStore();
        var key = $"uploads/{Guid.NewGuid():N}/jfk.wav";
        await using (var wav = File.OpenRead(SharedData.DataPath("speech", "jfk.wav"))) await store.PutAsync(key, wav);
        using var channel = DistributedFixture.Channel(_port);
        var client = new Transcription.TranscriptionClient(channel);
        var source = new ProtoRef { Bucket = store.Bucket, Key = key };

        // The offline engine: Debian's pocketsphinx and its model from the native layer, Silero through ONNX Runtime.
        var reply = await CallAsync(container, () => client.TranscribeAsync(new TranscribeRequest { Source = source, Engine = "offline" },
            new CallOptions(deadline: DateTime.UtcNow.AddMinutes(3)).WithWaitForReady()).ResponseAsync);
        Assert.Equal("pocketsphinx", reply.Engine);
        Assert.Equal("Transcribed", reply.Status);
        await using var stored = await store.OpenReadAsync(reply.Transcript.Key);
        var artifact = TranscriptArtifact.FromJson(await new StreamReader(stored).ReadToEndAsync());
        Assert.NotEmpty(artifact.VoiceActivity);
        var wer = WordErrorRate.Compute("And so my fellow Americans, ask not what your country can do for you, ask what you can do for your country.", artifact.Text).Rate;
        Assert.True(wer < 0.35, $"WER {wer:P1} for '{artifact.Text}'");

        // Whisper.net's native whisper.cpp in the image: the model loads and decodes (random weights: no meaningful words).
        var whisper = await CallAsync(container, () => client.TranscribeAsync(new TranscribeRequest { Source = source, Engine = "whisper", Language = "en" },
            deadline: DateTime.UtcNow.AddMinutes(3)).ResponseAsync);
        Assert.Equal("whisper", whisper.Engine);
        Assert.StartsWith("ggml-tiny", whisper.ModelId, StringComparison.Ordinal);
        Assert.Equal(11, whisper.DurationSeconds, 0);
    }

    [Fact]
    public async Task The_hf_server_image_loads_a_gguf_model_with_llama_cpp()
    {
        Assert.Empty(await NativeLibraryCheck.UnresolvedAsync(images, "hf-server"));
        await using var container = await images.StartAsync("hf-server",
            ServiceSettings(("ModelHost__ModelsDirectory", "/models"), ("ModelHost__DefaultModel", "tiny")),
            upper =>
            {
                Directory.CreateDirectory(Path.Combine(upper, "models"));
                MerFactory.ModelHost.Tests.Support.TinyGguf.Write(Path.Combine(upper, "models", "tiny.gguf"));
                return Task.CompletedTask;
            });
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{_port + 1}") };
        // /health answers 503 until the default model is loaded (and stays 503 if loading fails).
        await ContainerProbe.WaitForSuccessAsync(container, http, "/health", TimeSpan.FromMinutes(2));
    }

    /// <summary>The models a deployment would mount, installed by the CLI from the shared data folder and owned by the image's user.</summary>
    private static async Task InstallModelsAsync(string folder, params string[] names)
    {
        var cli = Path.Combine(SharedData.RepoRoot, "cli", "MerFactory.Cli", "bin", DistributedFixture.BuildConfiguration, "net10.0", "merfactory.dll");
        var (exit, output) = await ContainerImagesFixture.RunAsync(new ProcessStartInfo("dotnet", [cli, "models", "install", "--from", SharedData.Data, "--models-dir", folder, .. names]));
        Assert.True(exit == 0, output);
        (exit, output) = await ContainerImagesFixture.RunAsync(new ProcessStartInfo("chown", ["-R", "1654:1654", folder]));
        Assert.True(exit == 0, output);
    }

    private static async Task<T> CallAsync<T>(RunningContainer container, Func<Task<T>> call)
    {
        try
        {
            return await call();
        }
        catch (RpcException e)
        {
            throw new Xunit.Sdk.XunitException($"{e.Status}\n{container.Output}");
        }
    }
}
