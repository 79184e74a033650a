using Google.Protobuf;
using Grpc.Core;
using Grpc.Net.Client;
using MerFactory.Pipeline.Orchestration;
using MerFactory.Protos.Clients;
using MerFactory.Protos.Jobs;
using Spectre.Console;

namespace MerFactory.JobClient;

/// <summary>
/// <c>--server URL</c>: the job runs on a distributed deployment. Inputs are uploaded through the job API,
/// progress is watched as a server stream, and the outputs are downloaded into OUTPUT in the same layout.
/// </summary>
public static class RemoteRun
{
    private const int Transfers = 8;

    /// <summary>How long a watch that lost the job API keeps asking for it again (a restarted job service resumes the job).</summary>
    internal static readonly TimeSpan ReattachWindow = TimeSpan.FromMinutes(5);

    /// <summary>Runs the job on <paramref name="server"/>; with <paramref name="attachTo"/>, watches that job (submitted earlier) instead of submitting.</summary>
    /// <param name="onEvent">Sees every event of the job as it comes (the dashboard's run builder shows them).</param>
    /// <param name="keepByReference">Given, the outputs are not downloaded: the finished job's id and its list of outputs
    /// (references to the objects in the deployment's store) go to it instead, e.g. to add them to a dataset in that store.</param>
    public static async Task<int> RunAsync(JobOptions options, string inputPath, string outputPath, string server, string token, string? attachTo, CancellationToken cancellationToken,
        Action<JobEvent>? onEvent = null, Func<string, IReadOnlyList<JobOutput>, CancellationToken, Task>? keepByReference = null)
    {
        var console = AnsiConsole.Console;
        IReadOnlyList<InputFile> inputs;
        OutputFolder output;
        try
        {
            output = new OutputFolder(outputPath);
            inputs = InputDiscovery.Discover(inputPath);
        }
        catch (Exception e) when (e is InputDiscoveryException or OutputFolderException)
        {
            console.MarkupLineInterpolated($"[red]{e.Message}[/]");
            return 1;
        }

        GrpcChannel channel;
        try
        {
            channel = ApiChannel.Create(server, token, new GrpcChannelOptions { MaxReceiveMessageSize = 64 << 20 });
        }
        catch (ArgumentException e)
        {
            console.MarkupLineInterpolated($"[red]Error: {e.Message}[/]");
            return 1;
        }
        using var ownedChannel = channel;
        var jobs = new Protos.Jobs.Jobs.JobsClient(channel);
        try
        {
            string jobId;
            if (attachTo is not null)
            {
                jobId = attachTo;
                console.WriteLine($"Attaching to job {jobId} on {server}");
            }
            else
            {
                jobId = await SubmitAsync(jobs, options, inputs, inputPath, output.Root, console, cancellationToken);
                console.WriteLine($"Submitted job {jobId} to {server} (attach again with --attach {jobId})");
            }

            // A finished file's outputs come while the job goes on; the rest (and anything missed) once it completes.
            var downloads = keepByReference is null ? new RemoteDownloads(jobs, output.Root, Transfers) : null;
            var skipped = new HashSet<string>(StringComparer.Ordinal);
            await WatchAsync(jobs, jobId, downloads, options.Silent, console, e =>
            {
                if (e.State == "file-skipped") skipped.Add(e.File);
                onEvent?.Invoke(e);
            }, cancellationToken);

            var status = await jobs.GetStatusAsync(new WatchJobRequest { JobId = jobId }, cancellationToken: cancellationToken);
            var outputs = await jobs.ListOutputsAsync(new WatchJobRequest { JobId = jobId }, cancellationToken: cancellationToken);
            if (downloads is null)
            {
                await keepByReference!(jobId, outputs.Outputs, cancellationToken);
            }
            else
            {
                _ = downloads.Start(outputs.Outputs, cancellationToken); // awaited with every other download just below
                await downloads.WhenAllAsync();
            }

            console.WriteLine();
            console.WriteLine($"Total files attempted: {status.FilesTotal}");
            console.MarkupLine($"[green]✅ Successful: {status.FilesDone - status.FilesFailed - skipped.Count}[/]");
            if (skipped.Count > 0) console.MarkupLine($"⏭️ Skipped (Cached): {skipped.Count}");
            if (status.FilesFailed > 0)
            {
                console.MarkupLine($"[red]❌ Failed: {status.FilesFailed}[/]");
                foreach (var error in status.Errors) console.MarkupLineInterpolated($"   [red]{error}[/]");
                console.WriteLine($"Error logs saved in: {output.ErrorLogs}");
            }
            return status.FilesFailed > 0 || status.Errors.Count > 0 ? 1 : 0;
        }
        catch (RpcException e)
        {
            console.MarkupLineInterpolated($"[red]Error: the server at {server} answered {e.StatusCode}: {e.Status.Detail}[/]");
            return 1;
        }
        catch (InvalidDataException e)
        {
            // An output outside OUTPUT or with the wrong hash: refused, and the run reports failure.
            console.MarkupLineInterpolated($"[red]Error: {e.Message}[/]");
            return 1;
        }
    }

    private static async Task<string> SubmitAsync(Protos.Jobs.Jobs.JobsClient jobs, JobOptions options, IReadOnlyList<InputFile> inputs, string inputPath, string outputRoot,
        IAnsiConsole console, CancellationToken cancellationToken)
    {
        // The records name the user's files: the inputs where they are, the outputs where they are downloaded to (or where
        // the caller puts them).
        var full = Path.GetFullPath(inputPath);
        options = options with { ClientInputRoot = File.Exists(full) ? Path.GetDirectoryName(full) : full, ClientOutputRoot = options.ClientOutputRoot ?? outputRoot };
        // --cache: the dataset is this OUTPUT. What it holds travels with the job: files it has records for are skipped
        // (and not uploaded), and MER reuses the earlier single-modality results it has.
        var dataset = options.Cache ? DatasetState(inputs, options, new OutputFolder(outputRoot)) : null;
        options = options with { Dataset = dataset };
        var submit = new SubmitJobRequest { OptionsJson = JobOptionsJson.Serialize(options) };
        // Several transfers at once: each one waits mostly on the server's object store round trips.
        var uploaded = new Protos.Common.ObjectRef[inputs.Count];
        await Parallel.ForEachAsync(Enumerable.Range(0, inputs.Count), new ParallelOptions { MaxDegreeOfParallelism = Transfers, CancellationToken = cancellationToken }, async (i, ct) =>
        {
            if (dataset?.GetValueOrDefault(inputs[i].RelativePath)?.FinalRecordDone == true)
            {
                uploaded[i] = new Protos.Common.ObjectRef();
                return;
            }
            if (!options.Silent) console.WriteLine($"Uploading {inputs[i].RelativePath}");
            uploaded[i] = await UploadAsync(jobs, inputs[i].Path, ct);
        });
        for (var i = 0; i < inputs.Count; i++) submit.Inputs.Add(new JobInput { RelativePath = inputs[i].RelativePath, Object = uploaded[i] });
        return (await jobs.SubmitAsync(submit, cancellationToken: cancellationToken)).JobId;
    }

    /// <summary>The earlier results OUTPUT holds for each input, for the inputs it holds any for.</summary>
    internal static Dictionary<string, EarlierResults> DatasetState(IReadOnlyList<InputFile> inputs, JobOptions options, OutputFolder output) =>
        inputs.Select(i => (i.RelativePath, Results: EarlierResults.Read(output, i.Id, JobRunner.EffectiveType(i, options))))
            .Where(r => !r.Results.IsEmpty)
            .ToDictionary(r => r.RelativePath, r => r.Results, StringComparer.Ordinal);

    /// <summary>
    /// Follows the job to its end, downloading each file's outputs as they come. When the job API goes away (a restart),
    /// the watch is asked for again, waiting for the service, for up to <see cref="ReattachWindow"/>: the restarted service
    /// resumes the job and replays its events.
    /// </summary>
    private static async Task WatchAsync(Protos.Jobs.Jobs.JobsClient jobs, string jobId, RemoteDownloads? downloads, bool silent, IAnsiConsole console,
        Action<JobEvent>? onEvent, CancellationToken cancellationToken)
    {
        var lostSince = (DateTime?)null;
        while (true)
        {
            try
            {
                var options = new CallOptions(cancellationToken: cancellationToken).WithWaitForReady(lostSince is not null);
                using var watch = jobs.Watch(new WatchJobRequest { JobId = jobId }, options);
                await foreach (var e in watch.ResponseStream.ReadAllAsync(cancellationToken))
                {
                    lostSince = null;
                    onEvent?.Invoke(e);
                    if (e.State == "file-outputs")
                    {
                        if (downloads is null) continue; // kept by reference: nothing to fetch
                        var file = e.File;
                        var early = downloads.Start(e.Outputs, cancellationToken);
                        if (!silent)
                            _ = early.ContinueWith(t => console.WriteLine($"  {file}: {e.Outputs.Count} output(s) downloaded"), cancellationToken, TaskContinuationOptions.OnlyOnRanToCompletion, TaskScheduler.Default);
                        continue;
                    }
                    if (e.State is "file-completed" or "file-failed" or "file-skipped" or "job-completed" || !silent)
                        console.WriteLine(Describe(e));
                }
                return;
            }
            catch (RpcException e) when (e.StatusCode is StatusCode.Unavailable or StatusCode.Internal && !cancellationToken.IsCancellationRequested)
            {
                lostSince ??= DateTime.UtcNow;
                if (DateTime.UtcNow - lostSince > ReattachWindow) throw;
                console.WriteLine($"Lost the job API ({e.StatusCode}); re-attaching to job {jobId}...");
            }
        }
    }

    private static string Describe(JobEvent e) => e.State switch
    {
        "job-completed" => $"Job completed: {e.FilesDone}/{e.FilesTotal} file(s), {e.FilesFailed} failed",
        _ when e.Step.Length == 0 => $"[{e.FilesDone}/{e.FilesTotal}] {e.File}: {e.State}{(e.Message.Length > 0 ? " — " + e.Message : "")}",
        _ => $"  {e.File}: {e.Step} {e.State}{(e.Message.Length > 0 ? " — " + e.Message : "")}",
    };

    private static async Task<Protos.Common.ObjectRef> UploadAsync(Protos.Jobs.Jobs.JobsClient jobs, string path, CancellationToken cancellationToken)
    {
        using var call = jobs.Upload(cancellationToken: cancellationToken);
        await using var file = File.OpenRead(path);
        var buffer = new byte[1 << 20];
        var first = true;
        int read;
        while ((read = await file.ReadAsync(buffer, cancellationToken)) > 0 || first)
        {
            await call.RequestStream.WriteAsync(new UploadChunk { FileName = first ? Path.GetFileName(path) : "", Data = ByteString.CopyFrom(buffer, 0, read) }, cancellationToken);
            first = false;
            if (read == 0) break;
        }
        await call.RequestStream.CompleteAsync();
        return await call;
    }
}
