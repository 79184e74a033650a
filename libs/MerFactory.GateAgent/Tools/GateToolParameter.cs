using System.Text.Json;
using System.Text.Json.Nodes;

namespace MerFactory.GateAgent.Tools;

public enum GateParameterType
{
    String,
    Number,
    Integer,
}

/// <summary>One argument a tool accepts, with the limits its value is checked against before the tool runs.</summary>
public sealed record GateToolParameter(string Name, GateParameterType Type, string Description)
{
    public bool Required { get; init; }

    /// <summary>For strings: the only values accepted.</summary>
    public IReadOnlyList<string>? AllowedValues { get; init; }

    /// <summary>For numbers and integers: the smallest value accepted.</summary>
    public double? Minimum { get; init; }

    /// <summary>For numbers and integers: the largest value accepted.</summary>
    public double? Maximum { get; init; }

    /// <summary>This parameter as a JSON Schema property, for the prompt.</summary>
    internal JsonObject ToSchema()
    {
        var schema = new JsonObject
        {
            ["type"] = Type switch
            {
                GateParameterType.String => "string",
                GateParameterType.Number => "number",
                _ => "integer",
            },
            ["description"] = Description,
        };
        if (AllowedValues is { Count: > 0 }) schema["enum"] = new JsonArray([.. AllowedValues.Select(v => (JsonNode)JsonValue.Create(v))]);
        if (Minimum is { } minimum) schema["minimum"] = minimum;
        if (Maximum is { } maximum) schema["maximum"] = maximum;
        return schema;
    }

    internal static JsonObject ObjectSchema(IReadOnlyList<GateToolParameter> parameters)
    {
        var properties = new JsonObject();
        foreach (var parameter in parameters) properties[parameter.Name] = parameter.ToSchema();
        var schema = new JsonObject
        {
            ["type"] = "object",
            ["properties"] = properties,
            ["additionalProperties"] = false,
        };
        var required = parameters.Where(p => p.Required).Select(p => (JsonNode)JsonValue.Create(p.Name)).ToArray();
        if (required.Length > 0) schema["required"] = new JsonArray(required);
        return schema;
    }

    internal static string SchemaText(IReadOnlyList<GateToolParameter> parameters) => ObjectSchema(parameters).ToJsonString(PromptJson);

    /// <summary>Compact, with quotes left readable: the text is for a model, not for HTML.</summary>
    internal static readonly JsonSerializerOptions PromptJson = new()
    {
        WriteIndented = false,
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };
}
