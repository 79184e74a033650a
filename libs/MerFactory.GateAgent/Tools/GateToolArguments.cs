using System.Globalization;
using System.Text.Json;

namespace MerFactory.GateAgent.Tools;

/// <summary>Tool arguments that passed validation: only declared names, right types, within limits.</summary>
public sealed class GateToolArguments
{
    private const int MaxStringLength = 200;

    private readonly Dictionary<string, string> _strings = new(StringComparer.Ordinal);
    private readonly Dictionary<string, double> _numbers = new(StringComparer.Ordinal);

    private GateToolArguments()
    {
    }

    public static GateToolArguments Empty { get; } = new();

    public string? GetString(string name) => _strings.GetValueOrDefault(name);

    public double? GetNumber(string name) => _numbers.TryGetValue(name, out var value) ? value : null;

    public int? GetInteger(string name) => _numbers.TryGetValue(name, out var value) ? (int)value : null;

    /// <summary>
    /// Checks <paramref name="arguments"/> (a JSON object, or null/undefined for none) against <paramref name="parameters"/>.
    /// Numbers given as numeric strings are accepted because models often quote them; anything else wrong is an error
    /// that names the argument and what is expected.
    /// </summary>
    public static bool TryBind(IReadOnlyList<GateToolParameter> parameters, JsonElement arguments, out GateToolArguments bound, out string error)
    {
        bound = new GateToolArguments();
        error = "";
        if (arguments.ValueKind is JsonValueKind.Undefined or JsonValueKind.Null)
        {
            return CheckRequired(parameters, bound, out error);
        }

        if (arguments.ValueKind != JsonValueKind.Object)
        {
            error = $"\"arguments\" must be a JSON object, not {Describe(arguments.ValueKind)}.";
            return false;
        }

        var byName = parameters.ToDictionary(p => p.Name, StringComparer.Ordinal);
        foreach (var property in arguments.EnumerateObject())
        {
            if (!byName.TryGetValue(property.Name, out var parameter))
            {
                error = parameters.Count == 0
                    ? $"this tool takes no arguments, but \"{Clip(property.Name)}\" was given."
                    : $"unknown argument \"{Clip(property.Name)}\"; accepted: {string.Join(", ", parameters.Select(p => p.Name))}.";
                return false;
            }

            if (property.Value.ValueKind == JsonValueKind.Null) continue;
            if (!TryBindValue(parameter, property.Value, bound, out error)) return false;
        }

        return CheckRequired(parameters, bound, out error);
    }

    private static bool TryBindValue(GateToolParameter parameter, JsonElement value, GateToolArguments bound, out string error)
    {
        error = "";
        if (parameter.Type == GateParameterType.String)
        {
            if (value.ValueKind != JsonValueKind.String)
            {
                error = $"\"{parameter.Name}\" must be a string, not {Describe(value.ValueKind)}.";
                return false;
            }

            var text = value.GetString()!.Trim();
            if (text.Length > MaxStringLength)
            {
                error = $"\"{parameter.Name}\" is longer than {MaxStringLength} characters.";
                return false;
            }

            if (parameter.AllowedValues is { Count: > 0 } allowed && !allowed.Contains(text, StringComparer.Ordinal))
            {
                error = $"\"{parameter.Name}\" must be one of {string.Join(", ", allowed.Select(a => $"\"{a}\""))}, not \"{Clip(text)}\".";
                return false;
            }

            bound._strings[parameter.Name] = text;
            return true;
        }

        double number;
        if (value.ValueKind == JsonValueKind.Number && value.TryGetDouble(out var parsed))
        {
            number = parsed;
        }
        else if (value.ValueKind == JsonValueKind.String
                 && double.TryParse(value.GetString(), NumberStyles.Float, CultureInfo.InvariantCulture, out var fromText))
        {
            number = fromText;
        }
        else
        {
            error = $"\"{parameter.Name}\" must be a {(parameter.Type == GateParameterType.Integer ? "whole number" : "number")}, not {DescribeValue(value)}.";
            return false;
        }

        if (!double.IsFinite(number))
        {
            error = $"\"{parameter.Name}\" must be a finite number.";
            return false;
        }

        if (parameter.Type == GateParameterType.Integer && number != Math.Floor(number))
        {
            error = $"\"{parameter.Name}\" must be a whole number, not {number.ToString(CultureInfo.InvariantCulture)}.";
            return false;
        }

        if (number < parameter.Minimum || number > parameter.Maximum)
        {
            error = $"\"{parameter.Name}\" must be between {Format(parameter.Minimum)} and {Format(parameter.Maximum)}, not {number.ToString(CultureInfo.InvariantCulture)}.";
            return false;
        }

        bound._numbers[parameter.Name] = number;
        return true;
    }

    private static bool CheckRequired(IReadOnlyList<GateToolParameter> parameters, GateToolArguments bound, out string error)
    {
        var missing = parameters.Where(p => p.Required && !bound._strings.ContainsKey(p.Name) && !bound._numbers.ContainsKey(p.Name)).Select(p => p.Name).ToList();
        error = missing.Count == 0 ? "" : $"missing required argument(s): {string.Join(", ", missing)}.";
        return missing.Count == 0;
    }

    private static string Format(double? limit) => limit is { } value ? value.ToString(CultureInfo.InvariantCulture) : "any";

    private static string Describe(JsonValueKind kind) => kind switch
    {
        JsonValueKind.Object => "an object",
        JsonValueKind.Array => "an array",
        JsonValueKind.String => "a string",
        JsonValueKind.Number => "a number",
        JsonValueKind.True or JsonValueKind.False => "a boolean",
        _ => "null",
    };

    private static string DescribeValue(JsonElement value) =>
        value.ValueKind == JsonValueKind.String ? $"\"{Clip(value.GetString()!)}\"" : Describe(value.ValueKind);

    // Echoing model input back is useful, but never at length.
    private static string Clip(string text) => text.Length <= 40 ? text : text[..40] + "…";
}
