using Grpc.Core;
using Grpc.Net.Client;
using MerFactory.Llm.Tests.Fakes;
using MerFactory.Protos.LlmGateway;
using MerFactory.Testing;
using ProtoRef = MerFactory.Protos.Common.ObjectRef;

namespace MerFactory.Distributed.Tests;

/// <summary>
/// The llm-gateway service as its own process over RabbitMQ + S3, its backends loopback servers speaking the
/// OpenAI chat-completions wire protocol: one healthy, one answering 500 to everything.
/// </summary>
public sealed class LlmGatewayGrpcTests(DistributedFixture fixture) : IClassFixture<DistributedFixture>, IAsyncLifetime
{
    private readonly FakeOpenAi _upstream = new() { ApiKey = null };
    private readonly FakeOpenAi _broken = new() { ApiKey = null };

    public async Task InitializeAsync()
    {
        _broken.Faults.Always(Fault.ServerError);
        await _upstream.StartAsync();
        await _broken.StartAsync();
    }

    public async Task DisposeAsync()
    {
        await _upstream.DisposeAsync();
        await _broken.DisposeAsync();
    }

    private Dictionary<string, string> GatewayConfiguration() => new()
    {
        ["LlmGateway__Backends__local__Kind"] = "OpenAICompatible",
        ["LlmGateway__Backends__local__BaseUrl"] = new Uri(_upstream.BaseUrl, "v1/").AbsoluteUri,
        ["LlmGateway__Backends__local__ModelCapabilities__gpt-4o"] = "text,image",
        ["LlmGateway__Backends__local__ModelCapabilities__gpt-4.1"] = "text,image",
        ["LlmGateway__Backends__local__ModelCapabilities__gpt-4o-mini"] = "text",
        ["LlmGateway__Backends__broken__Kind"] = "OpenAICompatible",
        ["LlmGateway__Backends__broken__BaseUrl"] = new Uri(_broken.BaseUrl, "v1/").AbsoluteUri,
        ["LlmGateway__Backends__broken__ModelCapabilities__gpt-4o"] = "text,image",
        ["LlmGateway__Backends__broken__MaxRetries"] = "1",
        ["LlmGateway__Backends__broken__RetryBaseDelay"] = "00:00:00.050",
        ["LlmGateway__Backends__broken__MaxRetryDelay"] = "00:00:00.100",
        ["LlmGateway__Default__Backend"] = "local",
        ["LlmGateway__Default__Model"] = "gpt-4o",
        // Keys of the developer's shell must not leak into a loopback test.
        ["GOOGLE_API_KEY"] = "",
        ["OPENAI_API_KEY"] = "",
    };

    [Fact]
    public async Task StepsRunOverGrpcAndTheStepCacheNeverHidesAModelChangeOrAFailure()
    {
        using var service = fixture.StartService("llm-gateway", "MerFactory.LlmGateway.dll", GatewayConfiguration(), out var port, out var log);
        try
        {
            using var store = fixture.CreateStore();
            await using var jpeg = File.OpenRead(SharedData.DataPath("media", "pyfeat", "single_face.jpg"));
            var uploaded = await store.PutAsync($"uploads/{Guid.NewGuid():N}/single_face.jpg", jpeg, "image/jpeg");
            using var channel = DistributedFixture.Channel(port);
            var client = new LlmGateway.LlmGatewayClient(channel);
            var deadline = DateTime.UtcNow.AddMinutes(3);
            var prompt = $"Describe the facial expression. ({Guid.NewGuid():N})";
            LlmRunRequest Image(string? routing = null, string transcript = "") => new()
            {
                Step = "image", Prompt = prompt, Media = { new ProtoRef { Bucket = store.Bucket, Key = uploaded.Key } },
                RoutingJson = routing ?? "", Transcript = transcript,
            };

            var routes = await client.RoutesAsync(new(), new CallOptions(deadline: deadline).WithWaitForReady());
            var text = await client.RunAsync(new LlmRunRequest { Step = "synthesis", Prompt = $"Summarise the clues. ({Guid.NewGuid():N})", FileId = "clip-1" }, deadline: deadline);
            var afterText = _upstream.ModelRequests;

            var image = await client.RunAsync(Image(), deadline: deadline);
            var afterImage = _upstream.ModelRequests;
            var again = await client.RunAsync(Image(), deadline: deadline);
            var afterAgain = _upstream.ModelRequests;
            var otherModel = await client.RunAsync(Image("""{"backend":"local","model":"gpt-4.1"}"""), deadline: deadline);
            var afterOtherModel = _upstream.ModelRequests;
            // Evidence the model never sees changes the step key but not what is sent: the response cache answers.
            var withUnusedEvidence = await client.RunAsync(Image(transcript: "I am fine."), deadline: deadline);
            var afterUnusedEvidence = _upstream.ModelRequests;
            var textOnlyModel = await client.RunAsync(Image("""{"backend":"local","model":"gpt-4o-mini"}"""), deadline: deadline);

            var failure = await Assert.ThrowsAsync<RpcException>(() => client.RunAsync(Image("""{"backend":"broken","model":"gpt-4o"}"""), deadline: deadline).ResponseAsync);
            var brokenAfterFirst = _broken.ModelRequests;
            var failureAgain = await Assert.ThrowsAsync<RpcException>(() => client.RunAsync(Image("""{"backend":"broken","model":"gpt-4o"}"""), deadline: deadline).ResponseAsync);
            var unknownBackend = await Assert.ThrowsAsync<RpcException>(() => client.RunAsync(Image("""{"backend":"nowhere","model":"x"}"""), deadline: deadline).ResponseAsync);

            Assert.Contains(routes.Routes, r => r.Step == "image" && r.Backend == "local" && r.Model == "gpt-4o" && r.Capabilities.Contains("image"));

            Assert.Equal("Completed", text.Status);
            Assert.StartsWith("gpt-4o read 1 text part(s) and 0 media part(s)", text.Text);
            Assert.Equal(1, afterText);
            Assert.Equal("local", text.Backend);
            Assert.NotNull(await store.StatAsync(text.Result.Key));

            Assert.Equal("Completed", image.Status);
            Assert.StartsWith("gpt-4o read 1 text part(s) and 1 media part(s): data-url", image.Text);
            Assert.Equal(afterText + 1, afterImage);
            Assert.Contains(_upstream.Calls, c => c.AllText.Contains(prompt, StringComparison.Ordinal) && c.Media.Count == 1);

            Assert.Equal(afterImage, afterAgain);           // identical call: no server request
            Assert.True(again.FromStepCache);
            Assert.Equal(image.Text, again.Text);

            Assert.Equal(afterAgain + 1, afterOtherModel);  // another model: exactly one request
            Assert.False(otherModel.FromStepCache);
            Assert.NotEqual(image.StepKey, otherModel.StepKey);
            Assert.StartsWith("gpt-4.1 read", otherModel.Text);
            Assert.Equal("gpt-4.1", otherModel.Model);

            Assert.Equal(afterOtherModel, afterUnusedEvidence);
            Assert.False(withUnusedEvidence.FromStepCache);
            Assert.True(withUnusedEvidence.Cached);
            Assert.Equal(image.Text, withUnusedEvidence.Text);

            Assert.Equal("Skipped", textOnlyModel.Status);
            Assert.Contains("single_face.jpg", textOnlyModel.SkipReason);
            Assert.Equal("", textOnlyModel.Text);

            Assert.Equal(StatusCode.Unavailable, failure.StatusCode);
            Assert.Contains("failed on broken/gpt-4o after 2 attempt(s)", failure.Status.Detail);
            Assert.Equal(2, brokenAfterFirst);
            // Nothing was stored for the failure: the same call reaches the server again and fails the same way.
            Assert.Equal(StatusCode.Unavailable, failureAgain.StatusCode);
            Assert.Equal(4, _broken.ModelRequests);

            Assert.Equal(StatusCode.InvalidArgument, unknownBackend.StatusCode);
            Assert.Contains("nowhere", unknownBackend.Status.Detail);
        }
        catch (RpcException e) when (e.StatusCode is StatusCode.Unknown or StatusCode.Internal or StatusCode.Unavailable or StatusCode.DeadlineExceeded)
        {
            throw new Xunit.Sdk.XunitException($"{e.Status}\n{log}");
        }
        catch (Xunit.Sdk.XunitException e)
        {
            throw new Xunit.Sdk.XunitException($"{e.Message}\n--- service log ---\n{log}");
        }
        finally
        {
            service.Kill(entireProcessTree: true);
        }
    }
}
