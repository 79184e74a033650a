using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using MerFactory.Dashboard.Curation;
using MerFactory.Dashboard.Data;
using MerFactory.Dashboard.Records;
using MerFactory.Llm;
using MerFactory.Llm.Prompts;
using Microsoft.EntityFrameworkCore;

namespace MerFactory.Dashboard.Prompts;

public sealed record PromptVersionInfo(int Version, string Author, string Note, DateTime At);

public sealed record PromptTrial(string Status, string? Text, string? Model, string? Backend, string? SkipReason, string Prompt);

/// <summary>
/// The prompts JSON in versions (version 1 = the built-in prompts), diffs between versions, and trying one prompt on one
/// record through the configured LLM backend (<see cref="ILlmGateway"/>; never a shell).
/// </summary>
public sealed class PromptLab(IDbContextFactory<CurationDb> dbFactory, IRecordFiles files, ILlmGateway gateway, TimeProvider clock)
{
    // Relaxed escaping: the JSON is shown to people, who should read quotes, not \u0022.
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public async Task<List<PromptVersionInfo>> VersionsAsync(CancellationToken cancellationToken)
    {
        await using var db = await SeededAsync(cancellationToken);
        return await db.Prompts.AsNoTracking().OrderByDescending(p => p.Version)
            .Select(p => new PromptVersionInfo(p.Version, p.Author, p.Note, p.At)).ToListAsync(cancellationToken);
    }

    public async Task<PromptVersion?> GetAsync(int version, CancellationToken cancellationToken)
    {
        await using var db = await SeededAsync(cancellationToken);
        return await db.Prompts.AsNoTracking().SingleOrDefaultAsync(p => p.Version == version, cancellationToken);
    }

    /// <summary>Saves a new version after checking it is a prompts file the pipeline accepts (<see cref="PromptCatalog.Parse"/>).</summary>
    public async Task<PromptVersion> SaveAsync(string json, string author, string note, CancellationToken cancellationToken)
    {
        try
        {
            PromptCatalog.Parse(new MemoryStream(Encoding.UTF8.GetBytes(json)), "the submitted prompts");
        }
        catch (PromptFormatException e)
        {
            throw new CurationException(e.Message);
        }
        await using var db = await SeededAsync(cancellationToken);
        var next = (await db.Prompts.MaxAsync(p => (int?)p.Version, cancellationToken) ?? 0) + 1;
        var version = new PromptVersion { Version = next, Json = Pretty(json), Author = author, Note = note, At = clock.GetUtcNow().UtcDateTime };
        db.Prompts.Add(version);
        await db.SaveChangesAsync(cancellationToken);
        return version;
    }

    public async Task<string> DiffAsync(int from, int to, CancellationToken cancellationToken)
    {
        var a = await GetAsync(from, cancellationToken) ?? throw new CurationException($"no prompts version {from}", notFound: true);
        var b = await GetAsync(to, cancellationToken) ?? throw new CurationException($"no prompts version {to}", notFound: true);
        return TextDiff.Unified(a.Json, b.Json);
    }

    /// <summary>Fills the template's placeholders from the record (edits applied) and sends it to the step's model.</summary>
    public async Task<PromptTrial> TryAsync(string recordId, string key, string template, CancellationToken cancellationToken)
    {
        var snapshot = await RecordReader.ReadAsync(files, recordId, cancellationToken) ?? throw new CurationException($"no record '{recordId}'", notFound: true);
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var edits = await db.Edits.AsNoTracking().Where(e => e.RecordId == recordId).ToDictionaryAsync(e => e.Field, e => e.Value, cancellationToken);
        var fields = RecordFields.For(snapshot.Type).Where(f => snapshot.Fields.ContainsKey(f.Key))
            .Select(f => (f.Key, f.Label, Value: edits.GetValueOrDefault(f.Key) ?? snapshot.Fields[f.Key])).ToList();
        var context = string.Join('\n', fields.Where(f => f.Key != "final_summary").Select(f => $"- {f.Label}: {f.Value}"));
        var auText = fields.FirstOrDefault(f => f.Key.EndsWith("visual_expression", StringComparison.Ordinal) || f.Key == "au_text_description").Value ?? "";
        var prompt = template
            .Replace("{ground_truth_label}", snapshot.Label ?? "", StringComparison.Ordinal)
            .Replace("{label}", snapshot.Label ?? "", StringComparison.Ordinal)
            .Replace("{context}", context, StringComparison.Ordinal)
            .Replace("{au_text}", auText, StringComparison.Ordinal);
        var result = await gateway.RunAsync(new LlmStepRequest(StepOf(key), prompt) { UseCache = false, SampleId = recordId }, cancellationToken);
        return new PromptTrial(result.Status.ToString().ToLowerInvariant(), result.Text, result.Model, result.Backend, result.SkipReason, prompt);
    }

    /// <summary>The LLM step a prompt key belongs to, as the pipeline routes it.</summary>
    public static LlmStep StepOf(string key) => key.Split('.')[0] switch
    {
        "facial_expression_description" => LlmStep.FacialExpression,
        "image_description" => LlmStep.Image,
        "audio_analysis" => LlmStep.Audio,
        "video_description" => LlmStep.Video,
        _ => LlmStep.Synthesis,
    };

    private async Task<CurationDb> SeededAsync(CancellationToken cancellationToken)
    {
        var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        if (!await db.Prompts.AnyAsync(cancellationToken))
        {
            await using var stream = typeof(PromptCatalog).Assembly.GetManifestResourceStream("MerFactory.Llm.default-prompts.json")
                                     ?? throw new InvalidOperationException("Built-in prompts resource is missing from MerFactory.Llm.");
            var json = await new StreamReader(stream).ReadToEndAsync(cancellationToken);
            db.Prompts.Add(new PromptVersion { Version = 1, Json = Pretty(json), Author = "built-in", Note = "MerFactory's built-in prompts", At = clock.GetUtcNow().UtcDateTime });
            try
            {
                await db.SaveChangesAsync(cancellationToken);
            }
            catch (DbUpdateException)
            {
                db.ChangeTracker.Clear(); // another request seeded it first
            }
        }
        return db;
    }

    private static string Pretty(string json) => JsonNode.Parse(json, documentOptions: new JsonDocumentOptions { AllowTrailingCommas = true, CommentHandling = JsonCommentHandling.Skip })!.ToJsonString(Indented);
}
