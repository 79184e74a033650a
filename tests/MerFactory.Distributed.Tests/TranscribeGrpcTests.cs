using Grpc.Core;
using Grpc.Net.Client;
using MerFactory.Protos.Transcribe;
using MerFactory.Speech;
using MerFactory.Speech.Text;
using MerFactory.Testing;
using ProtoRef = MerFactory.Protos.Common.ObjectRef;

namespace MerFactory.Distributed.Tests;

public sealed class TranscribeGrpcTests(DistributedFixture fixture) : IClassFixture<DistributedFixture>, IDisposable
{
    private const string JfkText = "And so my fellow Americans, ask not what your country can do for you, ask what you can do for your country.";

    // No Whisper model in an empty folder: "auto" must fall back to the offline engine, as it does on CI.
    private readonly string _emptyModels = Directory.CreateTempSubdirectory("mf-no-whisper-").FullName;

    public void Dispose() => Directory.Delete(_emptyModels, recursive: true);

    [Fact]
    public async Task TheGrpcApiTranscribesSpeechIntoATranscriptArtifactAndReportsSilenceAndBadAudio()
    {
        using var service = fixture.StartService("transcribe", "MerFactory.Transcribe.dll", out var port, out var log, new Dictionary<string, string>
        {
            ["Speech__ModelsDirectory"] = _emptyModels,
            ["Speech__Vad__ModelPath"] = SharedData.DataPath("models", "silero_vad.onnx"),
        });
        try
        {
            using var store = fixture.CreateStore();
            var run = Guid.NewGuid().ToString("N");
            await using (var wav = File.OpenRead(SharedData.DataPath("speech", "jfk.wav"))) await store.PutAsync($"uploads/{run}/jfk.wav", wav);
            var silencePath = Path.Combine(_emptyModels, "silence.wav");
            await File.WriteAllBytesAsync(silencePath, SilentWav(seconds: 2));
            await using (var silence = File.OpenRead(silencePath)) await store.PutAsync($"uploads/{run}/silence.wav", silence);
            using (var text = new MemoryStream("not audio at all"u8.ToArray())) await store.PutAsync($"uploads/{run}/notes.wav", text);

            using var channel = DistributedFixture.Channel(port);
            var client = new Transcription.TranscriptionClient(channel);
            var deadline = DateTime.UtcNow.AddMinutes(4);

            TranscribeReply speech;
            try
            {
                speech = await client.TranscribeAsync(new TranscribeRequest { Source = new ProtoRef { Bucket = store.Bucket, Key = $"uploads/{run}/jfk.wav" }, Engine = "auto" },
                    new CallOptions(deadline: deadline).WithWaitForReady());
            }
            catch (RpcException e)
            {
                throw new Xunit.Sdk.XunitException($"{e.Status}\n{log}");
            }
            var silent = await client.TranscribeAsync(new TranscribeRequest { Source = new ProtoRef { Key = $"uploads/{run}/silence.wav" }, Engine = "offline" }, deadline: deadline);
            var bad = await Assert.ThrowsAsync<RpcException>(() => client.TranscribeAsync(new TranscribeRequest { Source = new ProtoRef { Key = $"uploads/{run}/notes.wav" } }, deadline: deadline).ResponseAsync);
            var unknownEngine = await Assert.ThrowsAsync<RpcException>(() => client.TranscribeAsync(new TranscribeRequest { Source = new ProtoRef { Key = $"uploads/{run}/jfk.wav" }, Engine = "telepathy" }, deadline: deadline).ResponseAsync);

            Assert.Equal("pocketsphinx", speech.Engine);
            Assert.Equal("Transcribed", speech.Status);
            Assert.Equal(11, speech.DurationSeconds, 0);
            await using (var stored = await store.OpenReadAsync(speech.Transcript.Key))
            using (var reader = new StreamReader(stored))
            {
                var artifact = TranscriptArtifact.FromJson(await reader.ReadToEndAsync());
                Assert.Equal("jfk", artifact.SourceFile);
                Assert.Equal(speech.Text, artifact.Text);
                Assert.NotEmpty(artifact.VoiceActivity);
                var wer = WordErrorRate.Compute(JfkText, artifact.Text).Rate;
                Assert.True(wer < 0.35, $"WER {wer:P1} for '{artifact.Text}'");
            }
            Assert.Equal("NoSpeech", silent.Status);
            Assert.Equal("", silent.Text);
            Assert.NotNull(await store.StatAsync(silent.Transcript.Key));
            Assert.Equal(StatusCode.InvalidArgument, bad.StatusCode);
            Assert.Contains("notes", bad.Status.Detail);
            Assert.Equal(StatusCode.InvalidArgument, unknownEngine.StatusCode);
            Assert.Contains("telepathy", unknownEngine.Status.Detail);
        }
        catch (RpcException e) when (e.StatusCode == StatusCode.Unknown)
        {
            throw new Xunit.Sdk.XunitException($"{e.Status}\n{log}");
        }
        finally
        {
            service.Kill(entireProcessTree: true);
        }
    }

    /// <summary>A 16 kHz mono 16-bit PCM WAV of digital silence.</summary>
    private static byte[] SilentWav(int seconds)
    {
        const int rate = 16_000;
        var dataBytes = rate * 2 * seconds;
        using var stream = new MemoryStream();
        using var writer = new BinaryWriter(stream);
        writer.Write("RIFF"u8); writer.Write(36 + dataBytes); writer.Write("WAVE"u8);
        writer.Write("fmt "u8); writer.Write(16); writer.Write((short)1); writer.Write((short)1); writer.Write(rate); writer.Write(rate * 2); writer.Write((short)2); writer.Write((short)16);
        writer.Write("data"u8); writer.Write(dataBytes); writer.Write(new byte[dataBytes]);
        writer.Flush();
        return stream.ToArray();
    }
}
