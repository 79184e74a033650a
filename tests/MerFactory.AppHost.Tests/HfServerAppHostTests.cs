using MerFactory.Protos.Clients;
using System.Text.RegularExpressions;
using Aspire.Hosting.Testing;
using Grpc.Net.Client;
using MerFactory.ModelHost.Tests.Support;
using MerFactory.Protos.Jobs;
using MerFactory.Testing;

namespace MerFactory.AppHost.Tests;

/// <summary>The AppHost with the llm-gateway routed to its hf-server resource, which hosts a generated tiny GGUF.</summary>
public sealed class HfServerAppHostFixture : AppHostFixture
{
    private readonly string _models = Directory.CreateTempSubdirectory("mf-apphost-gguf-").FullName;

    public HfServerAppHostFixture() => TinyGguf.Write(Path.Combine(_models, "tiny.gguf"));

    protected override IEnumerable<string> ModelArguments() =>
    [
        $"ModelHost:ModelsDirectory={_models}",
        "ModelHost:DefaultModel=tiny",
        "ModelHost:ContextSize=16384",
        "ModelHost:DefaultMaxTokens=32",
        "LlmGateway:Backends:hf:ModelCapabilities:tiny=text",
        "LlmGateway:Default:Backend=hf",
        "LlmGateway:Default:Model=tiny",
    ];

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        Directory.Delete(_models, recursive: true);
    }
}

public sealed partial class HfServerAppHostTests(HfServerAppHostFixture fixture) : IClassFixture<HfServerAppHostFixture>, IDisposable
{
    private readonly string _downloads = Directory.CreateTempSubdirectory("mf-apphost-hf-out-").FullName;

    public void Dispose() => Directory.Delete(_downloads, recursive: true);

    [GeneratedRegex(@"^\s*w\d+( w\d+)*\s*$")]
    private static partial Regex WordPieces();

    [Fact]
    public async Task An_image_job_routed_to_the_hf_server_resource_writes_a_record_whose_text_the_hosted_model_generated()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(8));
        using var channel = ApiChannel.Create(fixture.App.GetEndpoint("jobs", "grpc").AbsoluteUri, fixture.ApiToken, new GrpcChannelOptions { MaxReceiveMessageSize = 64 << 20 });
        var jobs = new JobsApiClient(new Jobs.JobsClient(channel));
        var job = await jobs.RunAsync("""{"type":"image"}""", new Dictionary<string, string> { ["single_face.jpg"] = SharedData.DataPath("media", "pyfeat", "single_face.jpg") }, cts.Token);
        Assert.True(job.Status.Completed && job.Status.FilesFailed == 0, string.Join("; ", job.Status.Errors));
        await jobs.DownloadAsync(job, _downloads, cts.Token);

        var record = OutputSchemas.AssertValidFile("image_analysis", Path.Combine(_downloads, "single_face", "single_face_image_analysis.json"));
        Assert.Matches(WordPieces(), record["final_summary"]!.GetValue<string>());
        Assert.Empty(fixture.Model.Calls); // nothing went to the other model
    }
}
