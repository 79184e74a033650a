using System.Diagnostics.CodeAnalysis;
using System.Security.Cryptography;
using Grpc.Core;
using Google.Protobuf;
using MerFactory.Contracts;
using MerFactory.Pipeline.Orchestration;
using MerFactory.Protos.Jobs;
using MerFactory.Storage;
using MerFactory.JobApi.Jobs;
using Microsoft.Extensions.Options;
using ProtoRef = MerFactory.Protos.Common.ObjectRef;

namespace MerFactory.JobApi.Grpc;

/// <summary>
/// The job API of a deployment: upload inputs, submit, watch progress, list and download outputs. Everything belongs
/// to the credential that made it (uploads under <c>uploads/{owner}/</c>, job files under <c>jobs/{owner}/</c>, and the
/// step artifacts its jobs name as outputs); any other credential is answered PermissionDenied. Hashes are the server's own: a claimed sha256 is never used.
/// </summary>
public sealed class JobsService(IObjectStore store, JobExecutor executor, JobRegistry registry, JobStore jobs, InFlightCounter uploads, IOptions<JobApiOptions> options)
    : Protos.Jobs.Jobs.JobsBase
{
    public override async Task<SubmitJobReply> Submit(SubmitJobRequest request, ServerCallContext context)
    {
        var owner = Callers.Name(context);
        var jobId = string.IsNullOrEmpty(request.JobId) ? Guid.NewGuid().ToString() : request.JobId;
        if (!Guid.TryParse(jobId, out _)) Throw(StatusCode.InvalidArgument, $"job_id '{request.JobId}' is not a GUID");
        if (await registry.FindAsync(jobId, context.CancellationToken) is not null) Throw(StatusCode.AlreadyExists, $"job {jobId} exists");
        if (registry.RunningCount(owner) >= options.Value.MaxRunningJobs)
            Throw(StatusCode.ResourceExhausted, $"{options.Value.MaxRunningJobs} jobs of this credential are running already");
        JobOptions jobOptions;
        IReadOnlyList<InputFile> inputs;
        try
        {
            jobOptions = JobOptionsJson.Deserialize(request.OptionsJson);
            inputs = InputDiscovery.FromRelativePaths(request.Inputs.Select(i => i.RelativePath));
        }
        catch (Exception e) when (e is InputDiscoveryException or System.Text.Json.JsonException)
        {
            Throw(StatusCode.InvalidArgument, e.Message);
            throw;
        }
        var byPath = request.Inputs.ToDictionary(i => i.RelativePath.Replace('\\', '/'), i => i.Object, StringComparer.Ordinal);
        var staged = new Dictionary<string, ObjectReference>(StringComparer.Ordinal);
        foreach (var input in inputs)
        {
            // With --cache, a file the client's dataset already holds is skipped, so it is not uploaded either.
            var given = byPath[input.RelativePath];
            if (string.IsNullOrEmpty(given?.Key) && jobOptions.Cache && jobOptions.Dataset?.GetValueOrDefault(input.RelativePath)?.FinalRecordDone == true) continue;
            staged[input.Id] = await OwnedUploadAsync(given ?? new ProtoRef(), owner, context.CancellationToken);
        }
        await executor.StartAsync(jobId, owner, inputs, staged, jobOptions, context.CancellationToken);
        return new SubmitJobReply { JobId = jobId };
    }

    /// <summary>An input must be the caller's own upload; its size and sha256 are read from the store, not from the request.</summary>
    private async Task<ObjectReference> OwnedUploadAsync(ProtoRef claimed, string owner, CancellationToken cancellationToken)
    {
        var key = ValidKey(claimed.Key);
        if ((claimed.Bucket.Length > 0 && claimed.Bucket != store.Bucket) || !OwnedKeys.IsOwnedBy(key, owner, OwnedKeys.Uploads))
            Throw(StatusCode.PermissionDenied, $"'{key}' is not an upload of this credential");
        var info = await store.StatAsync(key, cancellationToken) ?? throw new RpcException(new Status(StatusCode.NotFound, $"upload '{key}' not found"));
        var sha = info.Sha256;
        if (string.IsNullOrEmpty(sha))
        {
            await using var content = await store.OpenReadAsync(key, cancellationToken);
            sha = Convert.ToHexStringLower(await SHA256.HashDataAsync(content, cancellationToken));
        }
        return new ObjectReference(store.Bucket, key, info.Size, sha, info.ContentType);
    }

    public override async Task Watch(WatchJobRequest request, IServerStreamWriter<JobEvent> responseStream, ServerCallContext context)
    {
        var state = await OwnedJobAsync(request.JobId, context);
        await foreach (var e in state.Subscribe().ReadAllAsync(context.CancellationToken))
            await responseStream.WriteAsync(e, context.CancellationToken);
    }

    public override async Task<JobStatus> GetStatus(WatchJobRequest request, ServerCallContext context) =>
        (await OwnedJobAsync(request.JobId, context)).Status();

    public override async Task<JobOutputs> ListOutputs(WatchJobRequest request, ServerCallContext context)
    {
        var state = await OwnedJobAsync(request.JobId, context);
        if (!state.Completed) Throw(StatusCode.FailedPrecondition, $"job {request.JobId} is still running");
        var reply = new JobOutputs();
        reply.Outputs.AddRange(state.Outputs);
        return reply;
    }

    public override async Task<ProtoRef> Upload(IAsyncStreamReader<UploadChunk> requestStream, ServerCallContext context)
    {
        var owner = Callers.Name(context);
        var limits = options.Value;
        if (!uploads.TryEnter(owner, limits.MaxConcurrentUploads))
            Throw(StatusCode.ResourceExhausted, $"{limits.MaxConcurrentUploads} uploads of this credential are under way already");
        var temp = Path.GetTempFileName();
        try
        {
            string? name = null;
            long received = 0;
            await using (var file = File.Create(temp))
            {
                await foreach (var chunk in requestStream.ReadAllAsync(context.CancellationToken))
                {
                    name ??= chunk.FileName;
                    received += chunk.Data.Length;
                    if (received > limits.MaxUploadBytes) Throw(StatusCode.ResourceExhausted, $"uploads are limited to {limits.MaxUploadBytes} bytes");
                    chunk.Data.WriteTo(file);
                }
            }
            var fileName = Path.GetFileName(name ?? "");
            if (fileName is "" or "." or ".." || fileName.Contains('\0'))
                Throw(StatusCode.InvalidArgument, "the first chunk must name the file");
            await using var read = File.OpenRead(temp);
            // The store hashes what it writes; that hash, not one the client could claim, goes with the reference.
            var info = await store.PutAsync($"{OwnedKeys.Prefix(OwnedKeys.Uploads, owner)}{Guid.NewGuid():N}/{fileName}", read, null, context.CancellationToken);
            return new ProtoRef { Bucket = store.Bucket, Key = info.Key, Size = info.Size, Sha256 = info.Sha256 ?? "" };
        }
        finally
        {
            File.Delete(temp);
            uploads.Exit(owner);
        }
    }

    public override async Task Download(ProtoRef request, IServerStreamWriter<DownloadChunk> responseStream, ServerCallContext context)
    {
        var key = ValidKey(request.Key);
        var owner = Callers.Name(context);
        // The caller's own objects, and the step artifacts its jobs name as outputs (a job's outputs are references).
        if (!OwnedKeys.IsOwnedBy(key, owner, OwnedKeys.Uploads, OwnedKeys.Jobs, OwnedKeys.Exports) && !await jobs.IsOutputOfAsync(owner, key, context.CancellationToken))
            Throw(StatusCode.PermissionDenied, $"'{key}' does not belong to this credential");
        Stream stream;
        try
        {
            stream = await store.OpenReadAsync(key, context.CancellationToken);
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

    private async Task<JobState> OwnedJobAsync(string jobId, ServerCallContext context)
    {
        var state = await registry.FindAsync(jobId, context.CancellationToken) ?? throw new RpcException(new Status(StatusCode.NotFound, $"job '{jobId}' not found"));
        if (state.Owner != Callers.Name(context)) Throw(StatusCode.PermissionDenied, $"job '{jobId}' belongs to another credential");
        return state;
    }

    private static string ValidKey(string key)
    {
        try
        {
            return ObjectKeys.Validate(key);
        }
        catch (ArgumentException e)
        {
            Throw(StatusCode.InvalidArgument, e.Message);
            throw;
        }
    }

    [DoesNotReturn]
    private static void Throw(StatusCode code, string detail) => throw new RpcException(new Status(code, detail));
}
