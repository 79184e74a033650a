namespace MerFactory.Dashboard;

/// <summary>Settings of the curation dashboard, bound from section "Dashboard" (or set by <c>merfactory dashboard</c>).</summary>
public sealed class DashboardOptions
{
    public const string SectionName = "Dashboard";

    /// <summary>The dataset: a MerFactory/MER-Factory output folder (<c>{id}/{id}_*.json</c>).</summary>
    public string OutputDir { get; set; } = "";

    /// <summary>Address to bind; loopback by default. Any other address requires <see cref="Token"/>.</summary>
    public string Host { get; set; } = "127.0.0.1";

    public int Port { get; set; } = 5080;

    /// <summary>Access token. Generated (and printed) when binding a non-loopback address without one.</summary>
    public string? Token { get; set; }

    /// <summary>"sqlite" (file under <c>OUTPUT_DIR/.merfactory/</c>) or "postgres" (<see cref="ConnectionString"/>).</summary>
    public string Database { get; set; } = "sqlite";

    public string? ConnectionString { get; set; }

    /// <summary>Folder the run builder may take inputs from; inputs outside it are refused. Null: the current directory.</summary>
    public string? InputRoot { get; set; }

    /// <summary>Author recorded with revisions when the client names none.</summary>
    public string DefaultAuthor { get; set; } = Environment.UserName;

    /// <summary>AU intensity the timeline draws as the threshold (the run's <c>--threshold</c>).</summary>
    public double AuThreshold { get; set; } = 0.8;

    /// <summary>Name of this dataset in comparisons (default: the output folder's name).</summary>
    public string? Name { get; set; }

    /// <summary>
    /// Other outputs of the same clips to compare with, by name: output folders for <c>merfactory dashboard --compare</c>,
    /// object-store prefixes for the AppHost resource (<c>Dashboard:Compare:{name}</c>).
    /// </summary>
    public Dictionary<string, string> Compare { get; set; } = new(StringComparer.Ordinal);

    /// <summary>Bounds of the local copies of source clips served from an object store (<c>Dashboard:SourceCache</c>).</summary>
    public Records.SourceCacheOptions SourceCache { get; set; } = new();

    public string CurationDirectory => Path.Combine(OutputDir, ".merfactory");

    public bool IsLoopback =>
        Host is "localhost" || (System.Net.IPAddress.TryParse(Host, out var ip) && System.Net.IPAddress.IsLoopback(ip));
}
