using Google.Protobuf;
using Grpc.Core;
using MerFactory.Protos.Jobs;

namespace MerFactory.AppHost.Tests;

/// <summary>A job as a client of a deployment runs it (the flow of <c>merfactory process --server</c>): upload, submit, watch, download.</summary>
public sealed class JobsApiClient(Jobs.JobsClient jobs)
{
    public sealed record FinishedJob(string JobId, IReadOnlyList<JobEvent> Events, JobStatus Status, IReadOnlyList<JobOutput> Outputs);

    /// <summary>Runs a job over <paramref name="files"/> (relative path in the job → local file) to its end.</summary>
    public async Task<FinishedJob> RunAsync(string optionsJson, IReadOnlyDictionary<string, string> files, CancellationToken cancellationToken)
    {
        var submit = new SubmitJobRequest { OptionsJson = optionsJson };
        foreach (var (relativePath, path) in files)
            submit.Inputs.Add(new JobInput { RelativePath = relativePath, Object = await UploadAsync(path, cancellationToken) });
        var jobId = (await jobs.SubmitAsync(submit, cancellationToken: cancellationToken)).JobId;
        var events = new List<JobEvent>();
        using (var watch = jobs.Watch(new WatchJobRequest { JobId = jobId }, cancellationToken: cancellationToken))
        {
            await foreach (var e in watch.ResponseStream.ReadAllAsync(cancellationToken)) events.Add(e);
        }
        var status = await jobs.GetStatusAsync(new WatchJobRequest { JobId = jobId }, cancellationToken: cancellationToken);
        var outputs = await jobs.ListOutputsAsync(new WatchJobRequest { JobId = jobId }, cancellationToken: cancellationToken);
        return new FinishedJob(jobId, events, status, outputs.Outputs);
    }

    /// <summary>Downloads every output of the job into <paramref name="folder"/>, in the OUTPUT layout.</summary>
    public async Task DownloadAsync(FinishedJob job, string folder, CancellationToken cancellationToken)
    {
        foreach (var output in job.Outputs)
        {
            var path = Path.Combine(folder, output.RelativePath);
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            using var call = jobs.Download(output.Object, cancellationToken: cancellationToken);
            await using var file = File.Create(path);
            await foreach (var chunk in call.ResponseStream.ReadAllAsync(cancellationToken)) chunk.Data.WriteTo(file);
        }
    }

    private async Task<Protos.Common.ObjectRef> UploadAsync(string path, CancellationToken cancellationToken)
    {
        using var call = jobs.Upload(cancellationToken: cancellationToken);
        await using var file = File.OpenRead(path);
        var buffer = new byte[1 << 20];
        var first = true;
        int read;
        while ((read = await file.ReadAsync(buffer, cancellationToken)) > 0)
        {
            await call.RequestStream.WriteAsync(new UploadChunk { FileName = first ? Path.GetFileName(path) : "", Data = ByteString.CopyFrom(buffer, 0, read) }, cancellationToken);
            first = false;
        }
        await call.RequestStream.CompleteAsync();
        return await call;
    }
}
