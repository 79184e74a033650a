namespace MerFactory.Export.Text;

/// <summary>MER-Factory's AU natural-language table (spec §3.4), read backwards to recover codes from descriptions.</summary>
public static class AuNames
{
    private static readonly (string Code, string Text)[] Table =
    [
        ("AU01", "Inner brow raiser"), ("AU02", "Outer brow raiser"), ("AU04", "Brow lowerer"),
        ("AU05", "Upper lid raiser"), ("AU06", "Cheek raiser"), ("AU07", "Lid tightener"),
        ("AU09", "Nose wrinkler"), ("AU10", "Upper lip raiser"), ("AU12", "Lip corner puller (smile)"),
        ("AU14", "Dimpler"), ("AU15", "Lip corner depressor"), ("AU17", "Chin raiser"),
        ("AU20", "Lip stretcher"), ("AU23", "Lip tightener"), ("AU25", "Lips part"),
        ("AU26", "Jaw drop"), ("AU28", "Lip suck"), ("AU45", "Blink"),
    ];

    private static readonly Dictionary<string, string> CodeByName = Table
        .SelectMany(e => new[] { (Name: e.Text, e.Code), (Name: TextCleanup.StripParentheticals(e.Text), e.Code) })
        .DistinctBy(e => e.Name, StringComparer.OrdinalIgnoreCase)
        .ToDictionary(e => e.Name, e => e.Code, StringComparer.OrdinalIgnoreCase);

    /// <summary>AU code for a table text such as "Lip corner puller (smile)" or "Lid tightener"; null when unknown.</summary>
    public static string? CodeOf(string name) =>
        CodeByName.TryGetValue(name.Trim(), out var code)
            ? code
            : CodeByName.GetValueOrDefault(TextCleanup.StripParentheticals(name));

    /// <summary><c>AU06_r</c> / <c>AU06_c</c> / <c>AU06</c> → <c>AU06</c>.</summary>
    public static string NormalizeCode(string column)
    {
        var trimmed = column.Trim();
        var underscore = trimmed.IndexOf('_');
        return underscore > 0 ? trimmed[..underscore] : trimmed;
    }
}
