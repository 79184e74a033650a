using System.Net;
using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using MerFactory.ModelHost.Inference;
using MerFactory.ModelHost.Tests.Support;
using MerFactory.Speech.Tests;
using MerFactory.Testing;

namespace MerFactory.ModelHost.Tests;

public sealed class TranscriptionTests : IDisposable
{
    private readonly string _models = TestHost.NewModelsFolder();

    public void Dispose() => Directory.Delete(_models, recursive: true);

    [Fact]
    public async Task A_multipart_transcription_runs_Whisper_net_and_answers_what_the_model_recognised()
    {
        TinyWhisperModel.Write(Path.Combine(_models, "ggml-tiny.bin"));
        await using var host = await TestHost.StartAsync(_models);
        var wav = await File.ReadAllBytesAsync(SharedData.DataPath("speech", "jfk.wav"));

        using var form = new MultipartFormDataContent();
        var file = new ByteArrayContent(wav);
        file.Headers.ContentType = new MediaTypeHeaderValue("audio/wav");
        form.Add(file, "file", "jfk.wav");
        form.Add(new StringContent("ggml-tiny"), "model");
        form.Add(new StringContent("en"), "language");
        using var response = await host.Http.PostAsync("v1/audio/transcriptions", form);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var text = JsonNode.Parse(await response.Content.ReadAsStringAsync())!["text"]!.GetValue<string>();

        // The same model run directly on the same samples: the host adds transport, not a different answer.
        using var direct = new WhisperTranscriptionModel("direct", Path.Combine(_models, "ggml-tiny.bin"));
        var expected = await direct.TranscribeAsync(await MediaDecoder.DecodeAudio16kAsync(wav, CancellationToken.None), "en", CancellationToken.None);
        Assert.False(string.IsNullOrWhiteSpace(expected));
        Assert.Equal(expected, text);
    }

    [Fact]
    public async Task Chat_with_a_Whisper_model_or_transcription_with_a_chat_model_is_a_typed_400()
    {
        TinyWhisperModel.Write(Path.Combine(_models, "ggml-tiny.bin"));
        await using var host = await TestHost.StartAsync(_models);
        var chat = ChatCompletionsTests.Request(stream: false);
        chat["model"] = "ggml-tiny";
        using (var response = await host.Http.PostAsync("v1/chat/completions", new StringContent(chat.ToJsonString(), System.Text.Encoding.UTF8, "application/json")))
        {
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            Assert.Equal("modality_not_supported", JsonNode.Parse(await response.Content.ReadAsStringAsync())!["error"]!["code"]!.GetValue<string>());
        }

        using var form = new MultipartFormDataContent { { new ByteArrayContent(await File.ReadAllBytesAsync(SharedData.DataPath("speech", "jfk.wav"))), "file", "jfk.wav" }, { new StringContent("tiny"), "model" } };
        using var transcription = await host.Http.PostAsync("v1/audio/transcriptions", form);
        Assert.Equal(HttpStatusCode.BadRequest, transcription.StatusCode);
        Assert.Equal("modality_not_supported", JsonNode.Parse(await transcription.Content.ReadAsStringAsync())!["error"]!["code"]!.GetValue<string>());
    }
}
