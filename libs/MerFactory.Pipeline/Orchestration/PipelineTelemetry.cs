using System.Diagnostics;

namespace MerFactory.Pipeline.Orchestration;

/// <summary>
/// The orchestrator's activities: one per job and a child per file, so every step request of a job is sent,
/// and (MassTransit propagating the context) consumed in whichever service, inside the job's trace.
/// Exported by the service defaults' <c>MerFactory.*</c> tracing source.
/// </summary>
public static class PipelineTelemetry
{
    public const string SourceName = "MerFactory.Pipeline";
    public const string JobActivity = "job";
    public const string FileActivity = "file";
    public const string JobIdTag = "merfactory.job_id";
    public const string FileIdTag = "merfactory.file_id";

    public static readonly ActivitySource Source = new(SourceName);
}
