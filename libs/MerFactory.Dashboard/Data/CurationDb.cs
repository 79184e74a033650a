using Microsoft.EntityFrameworkCore;

namespace MerFactory.Dashboard.Data;

/// <summary>
/// Curation state: SQLite under <c>OUTPUT_DIR/.merfactory/</c> embedded, PostgreSQL in the AppHost. The model is shared;
/// each provider has its own context type and migrations (<see cref="SqliteCurationDb"/>, <see cref="PostgresCurationDb"/>).
/// </summary>
public abstract class CurationDb(DbContextOptions options) : DbContext(options)
{
    public DbSet<RecordEntry> Records => Set<RecordEntry>();
    public DbSet<RecordTag> Tags => Set<RecordTag>();
    public DbSet<EvalMetric> Metrics => Set<EvalMetric>();
    public DbSet<FieldEdit> Edits => Set<FieldEdit>();
    public DbSet<FieldRevision> Revisions => Set<FieldRevision>();
    public DbSet<Preference> Preferences => Set<Preference>();
    public DbSet<PromptVersion> Prompts => Set<PromptVersion>();
    public DbSet<RunConfig> RunConfigs => Set<RunConfig>();

    /// <summary>In PostgreSQL the tables live in their own schema: the database is shared with the job plane.</summary>
    public const string Schema = "curation";

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        if (Database.IsNpgsql()) modelBuilder.HasDefaultSchema(Schema);
        modelBuilder.Entity<RecordEntry>(e =>
        {
            e.HasKey(r => r.Id);
            e.HasIndex(r => r.Type);
            e.HasIndex(r => r.State);
            e.HasIndex(r => r.Rating);
            e.HasIndex(r => r.Tier);
            e.HasIndex(r => r.Emotion);
            e.HasIndex(r => r.Label);
            // Covers the facet counts' GROUP BY, in its order: a narrow index scan instead of the rows and a sort.
            e.HasIndex(r => new { r.Type, r.State, r.Tier, r.Rating, r.Label }, "IX_Records_Facets");
        });
        modelBuilder.Entity<RecordTag>(e =>
        {
            e.HasKey(t => new { t.RecordId, t.Kind, t.Value });
            e.HasIndex(t => new { t.Kind, t.Value });
        });
        modelBuilder.Entity<EvalMetric>(e =>
        {
            e.HasKey(m => new { m.RecordId, m.Name });
            e.HasIndex(m => new { m.Name, m.Value });
        });
        modelBuilder.Entity<FieldEdit>().HasKey(f => new { f.RecordId, f.Field });
        modelBuilder.Entity<FieldRevision>().HasIndex(r => new { r.RecordId, r.Field });
        modelBuilder.Entity<Preference>().HasIndex(p => p.RecordId);
        modelBuilder.Entity<PromptVersion>().HasKey(p => p.Version);
        modelBuilder.Entity<PromptVersion>().Property(p => p.Version).ValueGeneratedNever();
        modelBuilder.Entity<RunConfig>().HasKey(c => c.Name);
    }
}
