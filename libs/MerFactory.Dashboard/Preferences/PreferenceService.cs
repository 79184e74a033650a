using MerFactory.Dashboard.Curation;
using MerFactory.Dashboard.Data;
using MerFactory.Dashboard.Records;
using Microsoft.EntityFrameworkCore;

namespace MerFactory.Dashboard.Preferences;

/// <summary>One description of a record's field that can be compared: the pipeline's (by its model) or a human edit.</summary>
public sealed record Candidate(string Key, string System, string Prompts, string Text);

public sealed record Rankings(IReadOnlyList<RankedItem> Models, IReadOnlyList<RankedItem> PromptVersions, int Comparisons);

/// <summary>Pairwise preferences between descriptions of one clip, their Bradley–Terry rankings, and the pairs for training.</summary>
public sealed class PreferenceService(IDbContextFactory<CurationDb> dbFactory, IRecordFiles files, TimeProvider clock)
{
    public const string HumanEdit = "human-edit";

    /// <summary>The pipeline's text and every distinct edited text of the field (an edit against the original).</summary>
    public async Task<IReadOnlyList<Candidate>> CandidatesAsync(string id, string field, CancellationToken cancellationToken)
    {
        var snapshot = await RecordReader.ReadAsync(files, id, cancellationToken) ?? throw new CurationException($"no record '{id}'", notFound: true);
        if (RecordFields.Find(snapshot.Type, field) is null) throw new CurationException($"'{field}' is not a text field of this record");
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var original = snapshot.Fields.GetValueOrDefault(field, "");
        var candidates = new List<Candidate> { new("original", snapshot.Model ?? "auto", snapshot.PromptsVersion ?? "unknown", original) };
        var revisions = await db.Revisions.AsNoTracking().Where(r => r.RecordId == id && r.Field == field).OrderBy(r => r.Id).ToListAsync(cancellationToken);
        foreach (var revision in revisions.Where(r => r.NewValue != original).DistinctBy(r => r.NewValue))
            candidates.Add(new($"rev:{revision.Id}", HumanEdit, HumanEdit, revision.NewValue));
        return candidates;
    }

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
