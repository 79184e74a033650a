using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using MerFactory.ModelHost.Tests.Support;

namespace MerFactory.ModelHost.Tests;

public sealed class ChatCompletionsTests : IAsyncLifetime
{
    private TestHost _host = null!;

    public async Task InitializeAsync() => _host = await TestHost.StartAsync(TestHost.NewModelsFolder(), o => o.DefaultModel = "tiny");

    public async Task DisposeAsync()
    {
        await _host.DisposeAsync();
        Directory.Delete(_host.ModelsFolder, recursive: true);
    }

    internal static JsonObject Request(bool stream, string text = "Describe the face.", int maxTokens = 12) => new()
    {
        ["model"] = "tiny",
        ["messages"] = new JsonArray(new JsonObject { ["role"] = "user", ["content"] = text }),
        ["max_tokens"] = maxTokens,
        ["temperature"] = 0,
        ["stream"] = stream,
    };

    [Fact]
    public async Task A_non_streaming_completion_carries_text_the_model_generated_and_its_token_counts()
    {
        using var response = await _host.Http.PostAsJsonAsync("v1/chat/completions", Request(stream: false));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        var text = body["choices"]![0]!["message"]!["content"]!.GetValue<string>();
        // The tiny model's vocabulary is word pieces "▁w0".."▁w199": greedy decoding yields only those.
        Assert.Matches(@"^( w\d+)+$", text);
        Assert.Equal("chat.completion", body["object"]!.GetValue<string>());
        Assert.Equal(12, body["usage"]!["completion_tokens"]!.GetValue<int>());
        Assert.Equal("length", body["choices"]![0]!["finish_reason"]!.GetValue<string>());
        Assert.True(body["usage"]!["prompt_tokens"]!.GetValue<int>() > 5);
    }

    [Fact]
    public async Task Streaming_sends_server_sent_events_whose_pieces_make_the_same_greedy_answer()
    {
        using var whole = await _host.Http.PostAsJsonAsync("v1/chat/completions", Request(stream: false));
        var expected = JsonNode.Parse(await whole.Content.ReadAsStringAsync())!["choices"]![0]!["message"]!["content"]!.GetValue<string>();

        var request = Request(stream: true);
        request["stream_options"] = new JsonObject { ["include_usage"] = true };
        using var response = await _host.Http.PostAsJsonAsync("v1/chat/completions", request);
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType!.MediaType);
        var lines = (await response.Content.ReadAsStringAsync()).Split('\n').Where(l => l.StartsWith("data: ", StringComparison.Ordinal)).Select(l => l[6..]).ToList();
        Assert.Equal("[DONE]", lines[^1]);
        var chunks = lines[..^1].Select(l => JsonNode.Parse(l)!).ToList();
        var text = new StringBuilder();
        foreach (var chunk in chunks.Where(c => c["choices"]!.AsArray().Count > 0))
            text.Append(chunk["choices"]![0]!["delta"]!["content"]?.GetValue<string>());
        Assert.Equal(expected, text.ToString());
        Assert.True(chunks.Count(c => c["choices"]!.AsArray().Count > 0 && c["choices"]![0]!["delta"]!["content"] is not null) >= 12);
        Assert.Contains(chunks, c => c["choices"]!.AsArray().Count > 0 && c["choices"]![0]!["finish_reason"]?.GetValue<string>() == "length");
        Assert.Equal(12, chunks[^1]["usage"]!["completion_tokens"]!.GetValue<int>());
    }

    [Fact]
    public async Task Different_prompts_get_different_answers_from_the_model()
    {
        var answers = new List<string>();
        foreach (var prompt in new[] { "Describe the face.", "Summarise the clip in one sentence, please." })
        {
            using var response = await _host.Http.PostAsJsonAsync("v1/chat/completions", Request(stream: false, prompt));
            answers.Add(JsonNode.Parse(await response.Content.ReadAsStringAsync())!["choices"]![0]!["message"]!["content"]!.GetValue<string>());
        }
        Assert.NotEqual(answers[0], answers[1]);
    }

    [Fact]
    public async Task An_image_for_a_text_only_model_is_a_typed_400_not_an_empty_answer()
    {
        var request = Request(stream: true);
        request["messages"] = new JsonArray(new JsonObject
        {
            ["role"] = "user",
            ["content"] = new JsonArray(
                new JsonObject { ["type"] = "text", ["text"] = "What is the expression?" },
                new JsonObject { ["type"] = "image_url", ["image_url"] = new JsonObject { ["url"] = "data:image/png;base64," + Convert.ToBase64String([137, 80, 78, 71]) } }),
        });
        using var response = await _host.Http.PostAsJsonAsync("v1/chat/completions", request);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var error = JsonNode.Parse(await response.Content.ReadAsStringAsync())!["error"]!;
        Assert.Equal("modality_not_supported", error["code"]!.GetValue<string>());
        Assert.Equal("image", error["param"]!.GetValue<string>());
        Assert.Contains("tiny", error["message"]!.GetValue<string>());
    }

    [Fact]
    public async Task Media_named_by_url_instead_of_sent_inline_is_refused()
    {
        var request = Request(stream: false);
        request["messages"] = new JsonArray(new JsonObject
        {
            ["role"] = "user",
            ["content"] = new JsonArray(new JsonObject { ["type"] = "image_url", ["image_url"] = new JsonObject { ["url"] = "file:///etc/passwd" } }),
        });
        using var response = await _host.Http.PostAsJsonAsync("v1/chat/completions", request);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("invalid_request", JsonNode.Parse(await response.Content.ReadAsStringAsync())!["error"]!["code"]!.GetValue<string>());
    }

    [Fact]
    public async Task An_unknown_model_or_a_path_outside_the_models_folder_is_404()
    {
        foreach (var model in new[] { "no-such-model", "../tiny", "/etc/passwd" })
        {
            var request = Request(stream: false);
            request["model"] = model;
            using var response = await _host.Http.PostAsJsonAsync("v1/chat/completions", request);
            Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
            Assert.Equal("model_not_found", JsonNode.Parse(await response.Content.ReadAsStringAsync())!["error"]!["code"]!.GetValue<string>());
        }
    }

    [Fact]
    public async Task Models_lists_the_folder_with_the_loaded_model_s_modalities()
    {
        await _host.Get<Serving.DefaultModelReadiness>().Ready;
        var body = JsonNode.Parse(await _host.Http.GetStringAsync("v1/models"))!;
        var tiny = body["data"]!.AsArray().Single(m => m!["id"]!.GetValue<string>() == "tiny")!;
        Assert.Equal("loaded", tiny["status"]!["value"]!.GetValue<string>());
        Assert.Equal(["text"], tiny["modalities"]!.AsArray().Select(m => m!.GetValue<string>()));
        var props = JsonNode.Parse(await _host.Http.GetStringAsync("props"))!;
        Assert.False(props["modalities"]!["vision"]!.GetValue<bool>());
    }
}
