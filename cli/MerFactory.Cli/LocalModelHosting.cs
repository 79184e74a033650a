using MerFactory.Llm.Routing;
using MerFactory.ModelHost;
using MerFactory.ModelHost.Inference;
using Microsoft.Extensions.Configuration;
using Spectre.Console;

namespace MerFactory.Cli;

/// <summary>The local model could not be loaded; the message names it and the cause.</summary>
internal sealed class LocalModelHostingException(string message, Exception inner) : Exception(message, inner);

/// <summary>
/// <c>--huggingface-model</c>'s embedded default: with no host URL (<c>--hf-server-url</c>, HF_API_BASE_URL or
/// <c>LlmGateway__Backends__hf__BaseUrl</c>) the model host runs in this process and the pipeline talks to it over
/// loopback with a random key, exactly as it would to the hf-server service.
/// </summary>
internal static class LocalModelHosting
{
    public sealed record Started(LlmCliFlags Flags, EmbeddedModelHost? Host);

    public static async Task<Started> StartIfNeededAsync(LlmCliFlags flags, IAnsiConsole console, CancellationToken cancellationToken)
    {
        var model = flags.HuggingFaceModel?.Trim();
        if (string.IsNullOrEmpty(model) || ChatGptWins(flags)) return new Started(flags, null);
        var configuration = new ConfigurationBuilder().AddEnvironmentVariables().Build();
        var url = NonEmpty(flags.HuggingFaceServerUrl) ?? NonEmpty(Environment.GetEnvironmentVariable("HF_API_BASE_URL"))
            ?? NonEmpty(configuration[$"{LlmRoutingOptions.SectionName}:Backends:hf:BaseUrl"]);
        if (url is not null) return new Started(flags with { HuggingFaceServerUrl = url }, null);

        console.WriteLine($"Loading {model} in this process (no --hf-server-url)...");
        EmbeddedModelHost host;
        try
        {
            host = await EmbeddedModelHost.StartAsync(model, configuration, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is ModelNotFoundException or ModelLoadException)
        {
            throw new LocalModelHostingException(e.Message, e);
        }
        // What the loaded model takes decides which steps run (its mmproj, not its name).
        var takes = string.Join(",", host.Modalities.Names().Where(n => n is "text" or "image" or "audio" or "video"));
        console.WriteLine($"Model loaded; it takes {takes}.");
        return new Started(flags with
        {
            HuggingFaceServerUrl = host.BaseUrl.AbsoluteUri,
            HuggingFaceApiKey = host.ApiKey,
            ModelCapabilities = NonEmpty(flags.ModelCapabilities) ?? takes,
        }, host);
    }

    // LlmRouting's precedence: --chatgpt-model with a key or an OpenAI-compatible URL comes before Hugging Face.
    private static bool ChatGptWins(LlmCliFlags flags) =>
        NonEmpty(flags.ChatGptModel) is not null && (NonEmpty(flags.OpenAiBaseUrl) is not null || NonEmpty(Environment.GetEnvironmentVariable("OPENAI_API_KEY")) is not null);

    private static string? NonEmpty(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();
}
