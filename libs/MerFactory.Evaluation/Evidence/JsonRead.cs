using System.Text.Json;

namespace MerFactory.Evaluation.Evidence;

/// <summary>Tolerant look-ups in sidecar JSON: a missing or mistyped field reads as null rather than throwing.</summary>
internal static class JsonRead
{
    public static JsonElement? Get(this JsonElement element, string name)
    {
        if (element.ValueKind != JsonValueKind.Object) return null;
        if (element.TryGetProperty(name, out var value)) return value;
        // Our sidecars are written with either PascalCase (steps, media) or camelCase (transcript) names.
        foreach (var property in element.EnumerateObject())
            if (string.Equals(property.Name, name, StringComparison.OrdinalIgnoreCase)) return property.Value;
        return null;
    }

    public static string Text(this JsonElement element, string name) =>
        element.Get(name) is { ValueKind: JsonValueKind.String } value ? value.GetString()!.Trim() : "";

    public static double? Number(this JsonElement element, string name) =>
        element.Get(name) is { ValueKind: JsonValueKind.Number } value ? value.GetDouble() : null;

    public static JsonElement? Path(this JsonElement element, params string[] names)
    {
        JsonElement? current = element;
        foreach (var name in names)
        {
            current = current?.Get(name);
            if (current is null) return null;
        }
        return current;
    }

    public static IReadOnlyList<string> Strings(this JsonElement element, string name) =>
        element.Get(name) is { ValueKind: JsonValueKind.Array } array
            ? [.. array.EnumerateArray().Where(e => e.ValueKind == JsonValueKind.String).Select(e => e.GetString()!)]
            : [];

    /// <summary>"N/A" is MER-Factory's placeholder for a clue that was not produced: it is no text.</summary>
    public static string Clue(this JsonElement element, string name)
    {
        var text = element.Text(name);
        return text is "N/A" ? "" : text;
    }
}
