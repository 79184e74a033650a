using System.Diagnostics;
using System.Text;
using Google.Protobuf;
using Grpc.Core;
using Grpc.Health.V1;
using Grpc.Net.Client;
using MerFactory.Llm.Tests.Fakes;
using MerFactory.Protos.Jobs;
using ProtoRef = MerFactory.Protos.Common.ObjectRef;

namespace MerFactory.Distributed.Tests;

/// <summary>
/// A deployment with two clients, alice and bob: the step services, the job API (jobs) and the export service,
/// plus a second job API with small limits (each limit tried by its own credential, so they never interfere).
/// </summary>
public sealed class SecuredDeploymentFixture : DistributedFixture
{
    public const string DaveToken = "test-dave-token", ErinToken = "test-erin-token", FrankToken = "test-frank-token";
    public const int MaxUploadBytes = 1 << 20, RequestsPerMinute = 20;

    private readonly List<Process> _processes = [];
    private readonly FakeOpenAi _model = new() { ApiKey = null, Answer = InstructionFollowingModel.Create() };

    public PipelineServices Services { get; private set; } = null!;
    public int JobsPort { get; private set; }
    public int LimitedJobsPort { get; private set; }
    public int ExportPort { get; private set; }
    public StringBuilder JobsLog { get; private set; } = null!;

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        await _model.StartAsync();
        Services = PipelineServices.Start(this, _model);
        _processes.Add(StartService("jobs", "MerFactory.JobApi.dll", UserCredentials(), out var jobsPort, out var jobsLog));
        (JobsPort, JobsLog) = (jobsPort, jobsLog);
        var limited = UserCredentials();
        limited["Auth__Tokens__dave"] = DaveToken;
        limited["Auth__Tokens__erin"] = ErinToken;
        limited["Auth__Tokens__frank"] = FrankToken;
        limited["JobApi__MaxUploadBytes"] = MaxUploadBytes.ToString();
        limited["JobApi__MaxConcurrentUploads"] = "1";
        limited["JobApi__MaxRunningJobs"] = "1";
        limited["JobApi__RequestsPerMinute"] = RequestsPerMinute.ToString();
        // The limited instance has its own queue prefix: its jobs wait for steps no service answers, and never meet the others'.
        limited["Messaging__EndpointPrefix"] = Bucket + "-limited";
        // ...and its own database (created on start), so neither instance resumes or counts the other's jobs.
        limited["ConnectionStrings__jobsdb"] = Database.ConnectionString.Replace("Database=jobsdb", "Database=jobsdb_limited", StringComparison.Ordinal);
        _processes.Add(StartService("jobs", "MerFactory.JobApi.dll", limited, out var limitedPort, out _));
        LimitedJobsPort = limitedPort;
        _processes.Add(StartService("export", "MerFactory.ExportService.dll", UserCredentials(), out var exportPort, out _));
        ExportPort = exportPort;
        // Health is open to probes: it answers without a token once the service is serving.
        foreach (var port in new[] { JobsPort, LimitedJobsPort, ExportPort })
            await RemoteCliTests.WaitUntilServingAsync($"http://127.0.0.1:{port}");
        await Services.WaitUntilServingAsync();
    }

    public override async Task DisposeAsync()
    {
        foreach (var process in _processes) process.Dispose();
        Services.Dispose();
        await _model.DisposeAsync();
        await base.DisposeAsync();
    }

    public static MerFactory.Protos.Jobs.Jobs.JobsClient JobsOf(GrpcChannel channel) => new(channel);

    /// <summary>Uploads <paramref name="content"/> as <paramref name="name"/> through the job API.</summary>
    public static async Task<ProtoRef> UploadAsync(MerFactory.Protos.Jobs.Jobs.JobsClient jobs, string name, byte[] content, CancellationToken cancellationToken = default)
    {
        using var call = jobs.Upload(cancellationToken: cancellationToken);
        for (var offset = 0; offset < Math.Max(content.Length, 1); offset += 1 << 18)
        {
            var slice = content.AsMemory(offset, Math.Min(1 << 18, content.Length - offset));
            await call.RequestStream.WriteAsync(new UploadChunk { FileName = offset == 0 ? name : "", Data = ByteString.CopyFrom(slice.Span) }, cancellationToken);
        }
        await call.RequestStream.CompleteAsync();
        return await call;
    }

    /// <summary>Submits one file (its reference as the client states it) and watches the job to its end.</summary>
    public static async Task<(string JobId, List<JobEvent> Events)> RunAsync(MerFactory.Protos.Jobs.Jobs.JobsClient jobs, string relativePath, ProtoRef claimed, string optionsJson, CancellationToken cancellationToken)
    {
        var submit = new SubmitJobRequest { OptionsJson = optionsJson };
        submit.Inputs.Add(new JobInput { RelativePath = relativePath, Object = claimed });
        var jobId = (await jobs.SubmitAsync(submit, cancellationToken: cancellationToken)).JobId;
        var events = new List<JobEvent>();
        using var watch = jobs.Watch(new WatchJobRequest { JobId = jobId }, cancellationToken: cancellationToken);
        await foreach (var e in watch.ResponseStream.ReadAllAsync(cancellationToken)) events.Add(e);
        return (jobId, events);
    }
}
