using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using MerFactory.ModelHost.Inference;
using MerFactory.ModelHost.Serving;
using MerFactory.ModelHost.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace MerFactory.ModelHost.Tests;

/// <summary>Readiness, the bounded queue, cancellation and the LRU pool, each on a real host with the tiny model.</summary>
public sealed class ServingTests : IDisposable
{
    private readonly string _models = TestHost.NewModelsFolder("tiny", "other");

    public void Dispose() => Directory.Delete(_models, recursive: true);

    [Fact]
    public async Task Health_is_503_while_the_default_model_loads_and_200_once_it_has()
    {
        GatedLoader? gate = null;
        await using var host = await TestHost.StartAsync(_models, o => o.DefaultModel = "tiny", services =>
            services.Replace(ServiceDescriptor.Singleton<IModelLoader>(sp => gate = new GatedLoader(ActivatorUtilities.CreateInstance<ModelLoader>(sp)))));
        await gate!.Entered.Task.WaitAsync(TimeSpan.FromSeconds(60));

        using (var loading = await host.Http.GetAsync("health"))
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, loading.StatusCode);
            Assert.Contains("Unhealthy", await loading.Content.ReadAsStringAsync());
        }
        gate!.Gate.SetResult();
        await host.Get<DefaultModelReadiness>().Ready;
        using var ready = await host.Http.GetAsync("health");
        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
    }

    [Fact]
    public async Task A_full_queue_answers_429_with_Retry_After_and_the_queued_request_runs_when_the_slot_frees()
    {
        await using var host = await TestHost.StartAsync(_models, o =>
        {
            o.DefaultModel = "tiny";
            o.Slots = 1;
            o.QueueLimit = 1;
            o.RetryAfterSeconds = 3;
        });
        await host.Get<DefaultModelReadiness>().Ready;
        var slots = host.Get<SlotScheduler>();
        var held = await slots.TryAcquireAsync(CancellationToken.None);
        Assert.NotNull(held);

        var queuedWaiting = WaitFor(slots, () => slots.Waiting == 1);
        var queued = host.Http.PostAsJsonAsync("v1/chat/completions", ChatCompletionsTests.Request(stream: false));
        await queuedWaiting;

        using var rejected = await host.Http.PostAsJsonAsync("v1/chat/completions", ChatCompletionsTests.Request(stream: true));
        Assert.Equal(HttpStatusCode.TooManyRequests, rejected.StatusCode);
        Assert.Equal(TimeSpan.FromSeconds(3), rejected.Headers.RetryAfter!.Delta);
        Assert.Equal("queue_full", JsonNode.Parse(await rejected.Content.ReadAsStringAsync())!["error"]!["code"]!.GetValue<string>());

        held!.Dispose();
        using var answered = await queued;
        Assert.Equal(HttpStatusCode.OK, answered.StatusCode);
    }

    [Fact]
    public async Task A_client_that_goes_away_mid_stream_frees_its_slot()
    {
        await using var host = await TestHost.StartAsync(_models, o =>
        {
            o.DefaultModel = "tiny";
            o.Slots = 1;
            o.QueueLimit = 0;
        });
        await host.Get<DefaultModelReadiness>().Ready;
        var slots = host.Get<SlotScheduler>();
        var freed = WaitFor(slots, () => slots.Busy == 0, afterBusy: true);

        using (var cts = new CancellationTokenSource())
        {
            var request = new HttpRequestMessage(HttpMethod.Post, "v1/chat/completions") { Content = JsonContent.Create(ChatCompletionsTests.Request(stream: true, maxTokens: 400)) };
            using var response = await host.Http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cts.Token);
            var reader = new StreamReader(await response.Content.ReadAsStreamAsync(cts.Token));
            Assert.StartsWith("data: ", await reader.ReadLineAsync(cts.Token));
            Assert.Equal(1, slots.Busy);
            cts.Cancel();
        }
        await freed;

        using var next = await host.Http.PostAsJsonAsync("v1/chat/completions", ChatCompletionsTests.Request(stream: false));
        Assert.Equal(HttpStatusCode.OK, next.StatusCode);
    }

    [Fact]
    public async Task Loading_a_second_model_beyond_the_maximum_unloads_the_least_recently_used_one()
    {
        await using var host = await TestHost.StartAsync(_models, o => o.MaxLoadedModels = 1);
        var pool = host.Get<ModelPool>();
        var unloaded = new List<string>();
        pool.Unloaded += unloaded.Add;

        foreach (var model in new[] { "tiny", "other" })
        {
            var request = ChatCompletionsTests.Request(stream: false);
            request["model"] = model;
            using var response = await host.Http.PostAsJsonAsync("v1/chat/completions", request);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }
        Assert.Equal(["tiny"], unloaded);
        Assert.Equal(["other"], pool.Loaded.Select(l => l.Id));
        var listed = JsonNode.Parse(await host.Http.GetStringAsync("v1/models"))!["data"]!.AsArray();
        Assert.Equal("unloaded", listed.Single(m => m!["id"]!.GetValue<string>() == "tiny")!["status"]!["value"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_model_idle_past_the_time_out_is_unloaded_and_reloads_on_the_next_request()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UnixEpoch);
        await using var host = await TestHost.StartAsync(_models, o => o.IdleTimeout = TimeSpan.FromMinutes(10), services => services.AddSingleton<TimeProvider>(time));
        var pool = host.Get<ModelPool>();
        using (var first = await host.Http.PostAsJsonAsync("v1/chat/completions", ChatCompletionsTests.Request(stream: false)))
            Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Single(pool.Loaded);

        time.Advance(TimeSpan.FromMinutes(5));
        Assert.Single(pool.Loaded);
        var unloaded = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        pool.Unloaded += id => unloaded.TrySetResult(id);
        time.Advance(TimeSpan.FromMinutes(6));
        Assert.Equal("tiny", await unloaded.Task.WaitAsync(TimeSpan.FromSeconds(30)));
        Assert.Empty(pool.Loaded);

        using var again = await host.Http.PostAsJsonAsync("v1/chat/completions", ChatCompletionsTests.Request(stream: false));
        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        Assert.Single(pool.Loaded);
    }

    [Fact]
    public async Task With_an_API_key_requests_without_it_are_401()
    {
        await using var host = await TestHost.StartAsync(_models, o => o.ApiKey = "s3cret");
        using var anonymous = await host.Http.PostAsJsonAsync("v1/chat/completions", ChatCompletionsTests.Request(stream: false));
        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        using var request = new HttpRequestMessage(HttpMethod.Post, "v1/chat/completions") { Content = JsonContent.Create(ChatCompletionsTests.Request(stream: false)) };
        request.Headers.Authorization = new("Bearer", "s3cret");
        using var authorised = await host.Http.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, authorised.StatusCode);
    }

    /// <summary>Completes when <paramref name="condition"/> holds after a scheduler change (no polling, no sleeps).</summary>
    private static Task WaitFor(SlotScheduler slots, Func<bool> condition, bool afterBusy = false)
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var sawBusy = !afterBusy;
        slots.Changed += () =>
        {
            if (slots.Busy > 0) sawBusy = true;
            if (sawBusy && condition()) done.TrySetResult();
        };
        return done.Task.WaitAsync(TimeSpan.FromSeconds(60));
    }
}
