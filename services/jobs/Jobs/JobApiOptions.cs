namespace MerFactory.JobApi.Jobs;

/// <summary>Limits of the job API per credential (section <c>JobApi</c>); a call over a limit gets ResourceExhausted.</summary>
public sealed class JobApiOptions
{
    public const string Section = "JobApi";

    /// <summary>Largest upload accepted, in bytes (default 4 GiB).</summary>
    public long MaxUploadBytes { get; set; } = 4L << 30;

    /// <summary>Uploads one credential may stream at once.</summary>
    public int MaxConcurrentUploads { get; set; } = 16;

    /// <summary>Jobs one credential may have running at once.</summary>
    public int MaxRunningJobs { get; set; } = 4;

    /// <summary>Calls one credential may make per minute (every method; a Watch or an Upload counts once).</summary>
    public int RequestsPerMinute { get; set; } = 600;
}
