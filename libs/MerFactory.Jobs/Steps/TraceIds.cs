using System.Diagnostics;

namespace MerFactory.Jobs.Steps;

/// <summary>W3C trace ids as provenance: which trace (job) produced an artifact or a run.</summary>
public static class TraceIds
{
    /// <summary>The 32-hex-digit trace id of the current activity, or null when nothing is traced here.</summary>
    public static string? Current() => Of(Activity.Current);

    public static string? Of(Activity? activity) =>
        activity is { IdFormat: ActivityIdFormat.W3C } ? activity.TraceId.ToHexString() : null;
}
