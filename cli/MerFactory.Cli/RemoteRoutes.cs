using System.Text.Json;
using MerFactory.Llm;
using MerFactory.Llm.Routing;

namespace MerFactory.Cli;

/// <summary>
/// Model flags of a remote job, as per-step routes the deployment's llm-gateway applies (<c>RunLlmStep.RoutingJson</c>).
/// The backends ("openai", "ollama", "hf", ...) and their keys are the deployment's; only names and models travel.
/// The flags map to models exactly as in an embedded run (<see cref="FlagRoutes"/>).
/// </summary>
internal static class RemoteRoutes
{
    public static IReadOnlyDictionary<string, string>? FromFlags(LlmCliFlags flags)
    {
        // The same mapping as an embedded run; OpenAI's key, if any, is the deployment's, so it is assumed present.
        var choice = FlagRoutes.Choose(flags, hasOpenAiKey: true, openAi: null, notes: []);
        var routes = choice?.Models.ToDictionary(m => m.Key, m => (Backend: choice.Backend, Model: m.Value)) ?? [];
        foreach (var spec in flags.StepRoutes)
        {
            var (step, backend, model) = LlmRouting.ParseStepRoute(spec);
            routes[step] = (backend, model);
        }
        return routes.Count == 0 ? null : routes.ToDictionary(r => r.Key.ToKebab(), r => JsonSerializer.Serialize(new { backend = r.Value.Backend, model = r.Value.Model }));
    }
}
