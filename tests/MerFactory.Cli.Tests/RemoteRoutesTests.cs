using System.Text.Json;
using MerFactory.Llm;
using MerFactory.Llm.Routing;

namespace MerFactory.Cli.Tests;

/// <summary>A remote job sends each LLM step to the same backend and model as an embedded run with the same flags.</summary>
public sealed class RemoteRoutesTests
{
    public static TheoryData<string> FlagSets => new()
    {
        "cgm=gpt-3.5-turbo",            // MER-Factory pins image/video to gpt-4o and audio to gpt-4o-audio-preview
        "cgm=gpt-4o",                   // takes images; audio still pinned
        "cgm=gpt-4o-audio-preview",     // takes audio; vision kept
        "cgm=llama-3.1-8b;url=http://127.0.0.1:9/v1",
        "hfm=google/gemma-3n-E4B-it",
        "otm=llama3.2;ovm=llava:13b",
        "ovm=llava:13b",
        "otm=llama3.2;route=synthesis=hf:tiny",
    };

    [Theory]
    [MemberData(nameof(FlagSets))]
    public void RemoteRoutesEqualTheEmbeddedRoutes(string spec)
    {
        var flags = Parse(spec);
        var embedded = LlmRouting.FromCliFlags(flags, name => name == "OPENAI_API_KEY" ? "sk-local" : null);
        var expected = embedded.Steps.ToDictionary(s => s.Key.ToKebab(), s => JsonSerializer.Serialize(new { backend = s.Value.Backend, model = s.Value.Model }));

        var remote = RemoteRoutes.FromFlags(flags);

        Assert.NotNull(remote);
        Assert.Equal(expected.OrderBy(r => r.Key), remote.OrderBy(r => r.Key));
    }

    [Fact]
    public void NoModelFlagSendsNoRoutesSoTheDeploymentDefaultApplies() =>
        Assert.Null(RemoteRoutes.FromFlags(new LlmCliFlags()));

    private static LlmCliFlags Parse(string spec)
    {
        var values = spec.Split(';').Select(p => p.Split('=', 2)).ToDictionary(p => p[0], p => p[1]);
        return new LlmCliFlags
        {
            ChatGptModel = values.GetValueOrDefault("cgm"),
            OpenAiBaseUrl = values.GetValueOrDefault("url"),
            HuggingFaceModel = values.GetValueOrDefault("hfm"),
            OllamaTextModel = values.GetValueOrDefault("otm"),
            OllamaVisionModel = values.GetValueOrDefault("ovm"),
            StepRoutes = values.TryGetValue("route", out var route) ? [route] : [],
        };
    }
}
