namespace MerFactory.Storage;

/// <summary>Validation and composition of object keys ('/'-separated, relative, no '.' or '..' segments).</summary>
public static class ObjectKeys
{
    public static string Combine(params string[] parts) =>
        string.Join('/', parts.Where(p => !string.IsNullOrEmpty(p)).Select(p => p.Trim('/')));

    public static string Validate(string key)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(key);
        if (key.StartsWith('/') || key.Contains('\\') || key.Contains('\0'))
            throw new ArgumentException($"Invalid object key '{key}': keys are relative and use '/' separators.", nameof(key));
        foreach (var segment in key.Split('/'))
        {
            if (segment is "" or "." or "..")
                throw new ArgumentException($"Invalid object key '{key}': empty, '.' or '..' segment.", nameof(key));
        }
        return key;
    }

    /// <summary>
    /// A list prefix: empty (everything), or a key's beginning (<c>jobs/</c>, <c>jobs/ab</c>). Every complete segment
    /// obeys the key rules, so a prefix never climbs out of the store (<c>../</c>) or names a folder two ways (<c>a//b</c>).
    /// </summary>
    public static string ValidatePrefix(string prefix)
    {
        ArgumentNullException.ThrowIfNull(prefix);
        if (prefix.Length == 0) return prefix;
        if (prefix.StartsWith('/') || prefix.Contains('\\') || prefix.Contains('\0'))
            throw new ArgumentException($"Invalid prefix '{prefix}': prefixes are relative and use '/' separators.", nameof(prefix));
        var segments = prefix.Split('/');
        // The last segment is partial (possibly empty after a trailing '/'), but never '.' or '..'.
        for (var i = 0; i < segments.Length; i++)
        {
            var segment = segments[i];
            var last = i == segments.Length - 1;
            if (segment is "." or ".." || (segment.Length == 0 && !last))
                throw new ArgumentException($"Invalid prefix '{prefix}': empty, '.' or '..' segment.", nameof(prefix));
        }
        return prefix;
    }
}
