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
}
