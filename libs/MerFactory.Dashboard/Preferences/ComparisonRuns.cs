using System.Text.RegularExpressions;
using MerFactory.Dashboard.Records;

namespace MerFactory.Dashboard.Preferences;

/// <summary>Another output of the same clips (another run, model or prompt version), read-only, matched by record id.</summary>
public sealed record ComparisonRun(string Name, IRecordFiles Files);

public sealed record ComparisonRunInfo(string Name, string Location);

public sealed record ComparisonsInfo(string Name, string Location, IReadOnlyList<ComparisonRunInfo> Runs);

/// <summary>
/// The dataset under curation (named <paramref name="primaryName"/>) and the runs attached beside it
/// (<c>merfactory dashboard OUT --compare OTHER</c>, or <c>Dashboard:Compare:{name}</c>): their descriptions of a clip
/// become candidates of the pairwise comparison. They are fixed at start: the API never opens a path it is handed.
/// </summary>
public sealed partial class ComparisonRuns
{
    public ComparisonRuns(string primaryName, IEnumerable<ComparisonRun> runs)
    {
        PrimaryName = ValidName(primaryName);
        Runs = runs.ToList();
        var names = new HashSet<string>(StringComparer.Ordinal) { PrimaryName };
        foreach (var run in Runs)
        {
            if (!names.Add(ValidName(run.Name)))
                throw new ArgumentException($"two compared runs are named '{run.Name}': name them (--compare NAME=DIR)");
        }
    }

    public string PrimaryName { get; }

    public IReadOnlyList<ComparisonRun> Runs { get; }

    /// <summary>A run's name is one short token (shown on the page, used in candidate keys <c>run:{name}</c>).</summary>
    public static string ValidName(string name) =>
        NamePattern().IsMatch(name) ? name : throw new ArgumentException($"'{name}' is not a run name: letters, digits, '.', '_' and '-', at most 64");

    /// <summary>A name for a folder: its own name made valid (other characters become '-').</summary>
    public static string NameFor(string folder)
    {
        var name = Path.GetFileName(Path.TrimEndingDirectorySeparator(Path.GetFullPath(folder)));
        name = InvalidCharacters().Replace(name, "-").Trim('-', '.');
        return name.Length == 0 ? "run" : name[..Math.Min(name.Length, 64)];
    }

    public ComparisonsInfo Describe(IRecordFiles primary) =>
        new(PrimaryName, primary.Description, Runs.Select(r => new ComparisonRunInfo(r.Name, r.Files.Description)).ToList());

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")]
    private static partial Regex NamePattern();

    [GeneratedRegex("[^A-Za-z0-9._-]+")]
    private static partial Regex InvalidCharacters();
}
