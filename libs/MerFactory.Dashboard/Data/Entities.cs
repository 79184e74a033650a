namespace MerFactory.Dashboard.Data;

/// <summary>Review states of a record.</summary>
public static class ReviewStates
{
    public const string Pending = "pending";
    public const string Accepted = "accepted";
    public const string Rejected = "rejected";
    public static readonly IReadOnlySet<string> All = new HashSet<string> { Pending, Accepted, Rejected };
}

/// <summary>Provenance tiers: what a human did to a record; every curated export carries it.</summary>
public static class ProvenanceTiers
{
    public const string Auto = "auto";
    public const string HumanReviewed = "human-reviewed";
    public const string HumanEdited = "human-edited";
    public static readonly IReadOnlyList<string> Ordered = [Auto, HumanReviewed, HumanEdited];
}

/// <summary>One record of the dataset (its output folder) with what the index and the curators know of it.</summary>
public sealed class RecordEntry
{
    public string Id { get; set; } = "";
    public string Type { get; set; } = "";
    /// <summary>Emotion at the overall (first listed) peak, e.g. "happiness"; null when neutral or none.</summary>
    public string? Emotion { get; set; }
    public string? Label { get; set; }
    /// <summary>Model of the record's synthesis (or only) LLM step, from <c>{id}_steps.json</c>.</summary>
    public string? Model { get; set; }
    /// <summary>Lower-cased text of every field (edits applied), for free-text search.</summary>
    public string SearchText { get; set; } = "";
    public int? Rating { get; set; }
    public string State { get; set; } = ReviewStates.Pending;
    public string Tier { get; set; } = ProvenanceTiers.Auto;
    /// <summary>Last-write time of the analysis JSON and sidecars when indexed; a change re-indexes the record.</summary>
    public long SourceStamp { get; set; }
    public bool HasEval { get; set; }
    public DateTime? ReviewedAt { get; set; }
}

/// <summary>A label attached to a record by the index: its emotions and evaluation flags, one row each (exact counts).</summary>
public sealed class RecordTag
{
    public string RecordId { get; set; } = "";
    public string Kind { get; set; } = "";
    public string Value { get; set; } = "";
}

/// <summary>A numeric evaluation metric from <c>{id}_eval.json</c>.</summary>
public sealed class EvalMetric
{
    public string RecordId { get; set; } = "";
    public string Name { get; set; } = "";
    public double Value { get; set; }
}

/// <summary>The current value of an edited field and the value the pipeline wrote.</summary>
public sealed class FieldEdit
{
    public string RecordId { get; set; } = "";
    public string Field { get; set; } = "";
    public string Value { get; set; } = "";
    public string Original { get; set; } = "";
}

/// <summary>One change of a field: an edit or a revert, with its author, time and diff.</summary>
public sealed class FieldRevision
{
    public long Id { get; set; }
    public string RecordId { get; set; } = "";
    public string Field { get; set; } = "";
    public string Kind { get; set; } = "edit";
    public string Author { get; set; } = "";
    public DateTime At { get; set; }
    public string OldValue { get; set; } = "";
    public string NewValue { get; set; } = "";
    public string Diff { get; set; } = "";
}

/// <summary>A pairwise choice between two descriptions of one record's field.</summary>
public sealed class Preference
{
    public long Id { get; set; }
    public string RecordId { get; set; } = "";
    public string Field { get; set; } = "";
    public string ChosenSystem { get; set; } = "";
    public string RejectedSystem { get; set; } = "";
    /// <summary>Prompts version behind each side (<c>PromptsVersion</c> of <c>{id}_steps.json</c>; "human-edit" for edits).</summary>
    public string ChosenPrompts { get; set; } = "";
    public string RejectedPrompts { get; set; } = "";
    public string ChosenText { get; set; } = "";
    public string RejectedText { get; set; } = "";
    public string Author { get; set; } = "";
    public DateTime At { get; set; }
}

/// <summary>A version of the prompts JSON (MER-Factory's <c>prompts_vN.json</c>).</summary>
public sealed class PromptVersion
{
    public int Version { get; set; }
    public string Json { get; set; } = "";
    public string Author { get; set; } = "";
    public string Note { get; set; } = "";
    public DateTime At { get; set; }
}

/// <summary>A saved run-builder form.</summary>
public sealed class RunConfig
{
    public string Name { get; set; } = "";
    public string Json { get; set; } = "";
    public DateTime At { get; set; }
}
