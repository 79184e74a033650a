using System.Text.Json;
using MerFactory.Llm;
using MerFactory.Llm.Routing;

namespace MerFactory.Cli;

/// <summary>
/// Model flags of a remote job, as per-step routes the deployment's llm-gateway applies (<c>RunLlmStep.RoutingJson</c>).
/// The backends ("openai", "ollama", "hf", ...) and their keys are the deployment's; only names and models travel.
/// </summary>
internal static class RemoteRoutes
{
    public static IReadOnlyDictionary<string, string>? FromFlags(LlmCliFlags flags)
    {
        var routes = new Dictionary<LlmStep, (string Backend, string Model)>();
        void All(string backend, string model)
        {
            foreach (var step in Enum.GetValues<LlmStep>()) routes[step] = (backend, model);
        }

        if (!string.IsNullOrWhiteSpace(flags.ChatGptModel))
            All(string.IsNullOrWhiteSpace(flags.OpenAiBaseUrl) ? "openai" : "openai-compatible", flags.ChatGptModel);
        else if (!string.IsNullOrWhiteSpace(flags.HuggingFaceModel))
            All("hf", flags.HuggingFaceModel);
        else if (!string.IsNullOrWhiteSpace(flags.OllamaTextModel) || !string.IsNullOrWhiteSpace(flags.OllamaVisionModel))
        {
            var text = string.IsNullOrWhiteSpace(flags.OllamaTextModel) ? flags.OllamaVisionModel! : flags.OllamaTextModel;
            var vision = string.IsNullOrWhiteSpace(flags.OllamaVisionModel) ? text : flags.OllamaVisionModel;
            All("ollama", text);
            routes[LlmStep.Image] = ("ollama", vision);
            routes[LlmStep.Video] = ("ollama", vision);
        }
        foreach (var spec in flags.StepRoutes)
        {
            var (step, backend, model) = LlmRouting.ParseStepRoute(spec);
            routes[step] = (backend, model);
        }
        return routes.Count == 0 ? null : routes.ToDictionary(r => r.Key.ToKebab(), r => JsonSerializer.Serialize(new { backend = r.Value.Backend, model = r.Value.Model }));
    }
}
