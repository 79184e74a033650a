using System.Text.Json.Nodes;
using MerFactory.GateAgent.Tools;

namespace MerFactory.GateAgent.Decisions;

/// <summary>The JSON Schema of a valid answer for one round, shown to the model; <see cref="GateAnswerParser"/> enforces it.</summary>
internal static class GateAnswerSchema
{
    public static string Text(GateAnswerRules rules)
    {
        var verdict = new JsonObject
        {
            ["type"] = "object",
            ["required"] = new JsonArray("status", "reason"),
            ["properties"] = new JsonObject
            {
                ["status"] = new JsonObject { ["enum"] = new JsonArray("pass", "fail") },
                ["reason"] = new JsonObject { ["type"] = "string", ["minLength"] = 1 },
            },
        };
        var evaluationProperties = new JsonObject();
        foreach (var modality in rules.Required) evaluationProperties[modality.Key()] = new JsonObject { ["$ref"] = "#/$defs/verdict" };

        var toolUse = new JsonObject
        {
            ["type"] = "object",
            ["required"] = new JsonArray("action", "tool", "arguments"),
            ["properties"] = new JsonObject
            {
                ["action"] = new JsonObject { ["const"] = GateAnswerParser.ToolUseAction },
                ["tool"] = new JsonObject { ["enum"] = new JsonArray([.. rules.ToolNames.Select(n => (JsonNode)JsonValue.Create(n))]) },
                ["arguments"] = new JsonObject { ["type"] = "object" },
            },
        };
        var finalDecision = new JsonObject
        {
            ["type"] = "object",
            ["required"] = new JsonArray("action", "evaluation"),
            ["properties"] = new JsonObject
            {
                ["action"] = new JsonObject { ["const"] = GateAnswerParser.FinalDecisionAction },
                ["evaluation"] = new JsonObject
                {
                    ["type"] = "object",
                    ["required"] = new JsonArray([.. rules.Required.Select(m => (JsonNode)JsonValue.Create(m.Key()))]),
                    ["properties"] = evaluationProperties,
                },
            },
        };
        var schema = new JsonObject
        {
            ["oneOf"] = rules.ToolNames.Count > 0 ? new JsonArray(toolUse, finalDecision) : new JsonArray(finalDecision),
            ["$defs"] = new JsonObject { ["verdict"] = verdict },
        };
        return schema.ToJsonString(GateToolParameter.PromptJson);
    }
}
