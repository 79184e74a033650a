using Grpc.Core;
using Grpc.Net.Client;
using MerFactory.ModelHost.Serving;
using MerFactory.ModelHost.Tests.Support;
using MerFactory.Protos.HfServer;

namespace MerFactory.ModelHost.Tests;

public sealed class GrpcModelServerTests : IAsyncLifetime
{
    private TestHost _host = null!;

    public async Task InitializeAsync() => _host = await TestHost.StartAsync(TestHost.NewModelsFolder(), o =>
    {
        o.DefaultModel = "tiny";
        o.QueueLimit = 0;
    });

    public async Task DisposeAsync()
    {
        await _host.DisposeAsync();
        Directory.Delete(_host.ModelsFolder, recursive: true);
    }

    private ModelServer.ModelServerClient Client() => new(GrpcChannel.ForAddress(_host.GrpcUrl));

    private static ChatRequest Request(params ChatPart[] parts)
    {
        var message = new ChatMessage { Role = "user", Parts = { new ChatPart { Text = "Describe the face." } } };
        message.Parts.AddRange(parts);
        return new ChatRequest { Model = "tiny", MaxTokens = 10, Messages = { message } };
    }

    [Fact]
    public async Task Chat_streams_the_same_greedy_answer_as_the_HTTP_surface()
    {
        var pieces = new List<ChatChunk>();
        using var call = Client().Chat(Request());
        await foreach (var chunk in call.ResponseStream.ReadAllAsync()) pieces.Add(chunk);
        Assert.Equal("length", pieces[^1].FinishReason);
        Assert.Equal(10, pieces[^1].CompletionTokens);
        var text = string.Concat(pieces.Select(p => p.Text));
        Assert.Matches(@"^( w\d+)+$", text);

        var http = ChatCompletionsTests.Request(stream: false, maxTokens: 10);
        using var response = await _host.Http.PostAsync("v1/chat/completions", new StringContent(http.ToJsonString(), System.Text.Encoding.UTF8, "application/json"));
        var viaHttp = System.Text.Json.Nodes.JsonNode.Parse(await response.Content.ReadAsStringAsync())!["choices"]![0]!["message"]!["content"]!.GetValue<string>();
        Assert.Equal(viaHttp, text);
    }

    [Fact]
    public async Task Unsupported_modality_unknown_model_and_full_queue_are_distinct_statuses()
    {
        var image = Request(new ChatPart { Image = new MediaBytes { Data = Google.Protobuf.ByteString.CopyFrom(1, 2, 3), Format = "png" } });
        var modality = await Assert.ThrowsAsync<RpcException>(() => Drain(Client().Chat(image)));
        Assert.Equal(StatusCode.InvalidArgument, modality.StatusCode);
        Assert.Equal("modality_not_supported", modality.Trailers.GetValue("error-code"));

        var unknown = Request();
        unknown.Model = "missing";
        Assert.Equal(StatusCode.NotFound, (await Assert.ThrowsAsync<RpcException>(() => Drain(Client().Chat(unknown)))).StatusCode);

        await _host.Get<DefaultModelReadiness>().Ready;
        using var held = await _host.Get<SlotScheduler>().TryAcquireAsync(CancellationToken.None);
        var busy = await Assert.ThrowsAsync<RpcException>(() => Drain(Client().Chat(Request())));
        Assert.Equal(StatusCode.ResourceExhausted, busy.StatusCode);
        Assert.NotNull(busy.Trailers.GetValue("retry-after-seconds"));
    }

    [Fact]
    public async Task ListModels_reports_the_loaded_model_s_modalities()
    {
        await _host.Get<DefaultModelReadiness>().Ready;
        var list = await Client().ListModelsAsync(new MerFactory.Protos.Common.Empty());
        var tiny = Assert.Single(list.Models, m => m.Id == "tiny");
        Assert.True(tiny.Loaded);
        Assert.Equal(["text"], tiny.Modalities);
    }

    private static async Task Drain(AsyncServerStreamingCall<ChatChunk> call)
    {
        using (call)
            await foreach (var _ in call.ResponseStream.ReadAllAsync()) { }
    }
}
