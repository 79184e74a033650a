using MerFactory.Dashboard.Curation;
using MerFactory.Dashboard.Data;
using MerFactory.Dashboard.Records;
using Microsoft.EntityFrameworkCore;

namespace MerFactory.Dashboard.Preferences;

/// <summary>
/// One description of a record's field that can be compared: this dataset's (<c>original</c>), another run's of the
/// same clip (<c>run:{name}</c>), or a human edit (<c>rev:{revision}</c>). <paramref name="Source"/> names where it comes
/// from; <paramref name="System"/> (the model) and <paramref name="Prompts"/> (the prompts version) are what is ranked.
/// </summary>
public sealed record Candidate(string Key, string Source, string System, string Prompts, string Text);

public sealed record Rankings(IReadOnlyList<RankedItem> Models, IReadOnlyList<RankedItem> PromptVersions, int Comparisons);

/// <summary>Pairwise preferences between descriptions of one clip, their Bradley–Terry rankings, and the pairs for training.</summary>
public sealed class PreferenceService(IDbContextFactory<CurationDb> dbFactory, IRecordFiles files, ComparisonRuns runs, TimeProvider clock)
{
    public const string HumanEdit = "human-edit";
    public const string OriginalKey = "original";
    public const string RunKeyPrefix = "run:";

    /// <summary>
    /// The pipeline's text, the same field of the same clip in every compared run that has it, and every edited text of
    /// the field; a text already offered is not offered twice (nothing to choose between).
    /// </summary>
    public async Task<IReadOnlyList<Candidate>> CandidatesAsync(string id, string field, CancellationToken cancellationToken)
    {
        var snapshot = await RecordReader.ReadAsync(files, id, cancellationToken) ?? throw new CurationException($"no record '{id}'", notFound: true);
        if (RecordFields.Find(snapshot.Type, field) is null) throw new CurationException($"'{field}' is not a text field of this record");
        var candidates = new List<Candidate> { FromSnapshot(OriginalKey, runs.PrimaryName, snapshot, field) };
        foreach (var run in runs.Runs)
        {
            // Another run may lack the clip, or describe it as another type; either way it has nothing to offer here.
            if (await RecordReader.ReadAsync(run.Files, id, cancellationToken) is { } other && other.Type == snapshot.Type && other.Fields.ContainsKey(field))
                candidates.Add(FromSnapshot(RunKeyPrefix + run.Name, run.Name, other, field));
        }
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var revisions = await db.Revisions.AsNoTracking().Where(r => r.RecordId == id && r.Field == field).OrderBy(r => r.Id).ToListAsync(cancellationToken);
        candidates.AddRange(revisions.Select(r => new Candidate($"rev:{r.Id}", HumanEdit, HumanEdit, HumanEdit, r.NewValue)));
        return candidates.DistinctBy(c => c.Text, StringComparer.Ordinal).ToList();
    }

    /// <summary>A run's description: ranked by its model (else the run's name) and its prompts version.</summary>
    private static Candidate FromSnapshot(string key, string source, RecordSnapshot snapshot, string field) =>
        new(key, source, snapshot.Model ?? source, snapshot.PromptsVersion ?? "unknown", snapshot.Fields.GetValueOrDefault(field, ""));

    public async Task<Preference> AddAsync(string id, string field, string chosenKey, string rejectedKey, string author, CancellationToken cancellationToken)
    {
        if (chosenKey == rejectedKey) throw new CurationException("chosen and rejected must be two different descriptions");
        var candidates = await CandidatesAsync(id, field, cancellationToken);
        var chosen = candidates.FirstOrDefault(c => c.Key == chosenKey) ?? throw new CurationException($"no description '{chosenKey}' for {id}/{field}");
        var rejected = candidates.FirstOrDefault(c => c.Key == rejectedKey) ?? throw new CurationException($"no description '{rejectedKey}' for {id}/{field}");
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var preference = new Preference
        {
            RecordId = id, Field = field, Author = author, At = clock.GetUtcNow().UtcDateTime,
            ChosenSystem = chosen.System, RejectedSystem = rejected.System, ChosenPrompts = chosen.Prompts, RejectedPrompts = rejected.Prompts,
            ChosenText = chosen.Text, RejectedText = rejected.Text,
        };
        db.Preferences.Add(preference);
        await db.SaveChangesAsync(cancellationToken);
        return preference;
    }

    public async Task<Rankings> RankAsync(CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var all = await db.Preferences.AsNoTracking().ToListAsync(cancellationToken);
        return new Rankings(
            BradleyTerry.Rank(all.Select(p => (p.ChosenSystem, p.RejectedSystem))),
            BradleyTerry.Rank(all.Select(p => (p.ChosenPrompts, p.RejectedPrompts))),
            all.Count);
    }

    public async Task<List<Preference>> AllAsync(CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        return await db.Preferences.AsNoTracking().OrderBy(p => p.Id).ToListAsync(cancellationToken);
    }
}
