using System.Diagnostics.CodeAnalysis;
using Grpc.Core;
using Google.Protobuf;
using MerFactory.Contracts;
using MerFactory.Pipeline.Orchestration;
using MerFactory.Protos.Jobs;
using MerFactory.Storage;
using MerFactory.Synthesis.Jobs;
using ProtoRef = MerFactory.Protos.Common.ObjectRef;

namespace MerFactory.Synthesis.Grpc;

/// <summary>The job API of a deployment: upload inputs, submit, watch progress, list and download outputs.</summary>
public sealed class JobsService(IObjectStore store, JobExecutor executor, JobRegistry registry) : Protos.Jobs.Jobs.JobsBase
{
    public override Task<SubmitJobReply> Submit(SubmitJobRequest request, ServerCallContext context)
    {
        var jobId = string.IsNullOrEmpty(request.JobId) ? Guid.NewGuid().ToString() : request.JobId;
        if (!Guid.TryParse(jobId, out _)) Throw(StatusCode.InvalidArgument, $"job_id '{request.JobId}' is not a GUID");
        if (registry.Find(jobId) is not null) Throw(StatusCode.AlreadyExists, $"job {jobId} exists");
        JobOptions options;
        IReadOnlyList<InputFile> inputs;
        try
        {
            options = JobOptionsJson.Deserialize(request.OptionsJson);
            inputs = InputDiscovery.FromRelativePaths(request.Inputs.Select(i => i.RelativePath));
        }
        catch (Exception e) when (e is InputDiscoveryException or System.Text.Json.JsonException)
        {
            Throw(StatusCode.InvalidArgument, e.Message);
            throw;
        }
        var byPath = request.Inputs.ToDictionary(i => i.RelativePath.Replace('\\', '/'), i => i.Object, StringComparer.Ordinal);
        var staged = inputs.ToDictionary(i => i.Id, i =>
        {
            var o = byPath[i.RelativePath];
            return new ObjectReference(string.IsNullOrEmpty(o.Bucket) ? store.Bucket : o.Bucket, o.Key, o.Size, o.Sha256, o.ContentType);
        });
        if (staged.Values.Any(s => string.IsNullOrEmpty(s.Sha256)))
            Throw(StatusCode.InvalidArgument, "every input needs its sha256 (use Upload, which returns it)");
        executor.Start(jobId, inputs, staged, options);
        return Task.FromResult(new SubmitJobReply { JobId = jobId });
    }

    public override async Task Watch(WatchJobRequest request, IServerStreamWriter<JobEvent> responseStream, ServerCallContext context)
    {
        var state = registry.Find(request.JobId) ?? NotFound(request.JobId);
        await foreach (var e in state.Subscribe().ReadAllAsync(context.CancellationToken))
            await responseStream.WriteAsync(e, context.CancellationToken);
    }

    public override Task<JobStatus> GetStatus(WatchJobRequest request, ServerCallContext context) =>
        Task.FromResult((registry.Find(request.JobId) ?? NotFound(request.JobId)).Status());

    public override Task<JobOutputs> ListOutputs(WatchJobRequest request, ServerCallContext context)
    {
        var state = registry.Find(request.JobId) ?? NotFound(request.JobId);
        if (!state.Completed) Throw(StatusCode.FailedPrecondition, $"job {request.JobId} is still running");
        var reply = new JobOutputs();
        reply.Outputs.AddRange(state.Outputs);
        return Task.FromResult(reply);
    }

    public override async Task<ProtoRef> Upload(IAsyncStreamReader<UploadChunk> requestStream, ServerCallContext context)
    {
        var temp = Path.GetTempFileName();
        try
        {
            string? name = null;
            await using (var file = File.Create(temp))
            {
                await foreach (var chunk in requestStream.ReadAllAsync(context.CancellationToken))
                {
                    name ??= chunk.FileName;
                    chunk.Data.WriteTo(file);
                }
            }
            if (string.IsNullOrWhiteSpace(name)) Throw(StatusCode.InvalidArgument, "the first chunk must name the file");
            await using var read = File.OpenRead(temp);
            var info = await store.PutAsync($"uploads/{Guid.NewGuid():N}/{Path.GetFileName(name)}", read, null, context.CancellationToken);
            return new ProtoRef { Bucket = store.Bucket, Key = info.Key, Size = info.Size, Sha256 = info.Sha256 ?? "" };
        }
        finally
        {
            File.Delete(temp);
        }
    }

    public override async Task Download(ProtoRef request, IServerStreamWriter<DownloadChunk> responseStream, ServerCallContext context)
    {
        Stream stream;
        try
        {
            stream = await store.OpenReadAsync(request.Key, context.CancellationToken);
        }
        catch (ObjectNotFoundException e)
        {
            Throw(StatusCode.NotFound, e.Message);
            throw;
        }
        await using (stream)
        {
            var buffer = new byte[1 << 16];
            int read;
            while ((read = await stream.ReadAsync(buffer, context.CancellationToken)) > 0)
                await responseStream.WriteAsync(new DownloadChunk { Data = ByteString.CopyFrom(buffer, 0, read) }, context.CancellationToken);
        }
    }

    [DoesNotReturn]
    private static JobState NotFound(string jobId) => throw new RpcException(new Status(StatusCode.NotFound, $"job '{jobId}' not found"));

    [DoesNotReturn]
    private static void Throw(StatusCode code, string detail) => throw new RpcException(new Status(code, detail));
}
