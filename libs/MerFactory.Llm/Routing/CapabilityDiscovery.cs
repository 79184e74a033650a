using System.Collections.Concurrent;
using System.Net.Http.Headers;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace MerFactory.Llm.Routing;

/// <summary>
/// What an OpenAI-compatible server's model takes, discovered rather than assumed: what <c>GET {base}/models</c> says
/// about the model where the server says it (OpenRouter's <c>architecture.input_modalities</c>, <c>modalities</c>,
/// <c>capabilities</c>, LM Studio's <c>type</c>); otherwise the media is sent, and a 4xx that says the input is
/// unsupported is remembered for the model so later steps fall back (frames, transcript) as a recorded degradation.
/// Configured capabilities (<c>--model-capabilities</c>) always win. Thread-safe; one per gateway.
/// </summary>
internal sealed partial class CapabilityDiscovery(Func<string, HttpClient> httpFor)
{
    /// <summary>Assumed for a model the server says nothing about: everything chat completions can carry.</summary>
    public const Modality Optimistic = Modality.Text | Modality.Image | Modality.Audio;

    private readonly ConcurrentDictionary<(string Backend, string Model), Lazy<Task<Modality?>>> _declared = new();
    private readonly ConcurrentDictionary<(string Backend, string Model), (Modality Refused, string Why)> _refused = new();

    public async Task<Modality> CapabilitiesAsync(LlmResolvedRoute route, LlmBackendOptions backend)
    {
        var capabilities = route.Capabilities;
        if (route.Kind == LlmBackendKind.OpenAICompatible && !backend.ModelCapabilities.ContainsKey(route.Model) && backend.BaseUrl is { } baseUrl)
        {
            var declared = await _declared.GetOrAdd((route.Backend, route.Model),
                key => new Lazy<Task<Modality?>>(() => DescribeAsync(httpFor(key.Backend), baseUrl, backend.ApiKey, key.Model))).Value.ConfigureAwait(false);
            capabilities = declared ?? Optimistic;
        }
        return _refused.TryGetValue((route.Backend, route.Model), out var refused) ? capabilities & ~refused.Refused : capabilities;
    }

    /// <summary>Why the server refused a modality of this model earlier, if it did (for the degradation note).</summary>
    public string? RefusalNote(LlmResolvedRoute route) =>
        _refused.TryGetValue((route.Backend, route.Model), out var refused) ? $"the server refused {refused.Refused.ToString().ToLowerInvariant()} input earlier ({refused.Why})" : null;

    /// <summary>
    /// Records the modality a 4xx refused, when the failure says the input is unsupported and the request carried media.
    /// Returns false when this was not such a refusal (the step then fails as before).
    /// </summary>
    public bool LearnRefusal(LlmResolvedRoute route, Modality sent, LlmBackendException failure)
    {
        if (failure.Kind != LlmFailureKind.ClientError || failure.StatusCode is not (400 or 404 or 415 or 422) || (sent & ~Modality.Text) == Modality.None) return false;
        if (!UnsupportedInput().IsMatch(failure.Detail)) return false;
        var refused = (sent & Modality.Audio) != 0 && AudioMentioned().IsMatch(failure.Detail) ? Modality.Audio
            : (sent & Modality.Image) != 0 && ImageMentioned().IsMatch(failure.Detail) ? Modality.Image
            : sent & ~Modality.Text;
        var key = (route.Backend, route.Model);
        var before = _refused.TryGetValue(key, out var known) ? known.Refused : Modality.None;
        if ((before | refused) == before) return false; // nothing new to learn: do not loop
        _refused[key] = (before | refused, failure.Detail.Length <= 160 ? failure.Detail : failure.Detail[..160] + "…");
        return true;
    }

    private static async Task<Modality?> DescribeAsync(HttpClient http, Uri baseUrl, string? apiKey, string model)
    {
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            var root = baseUrl.AbsoluteUri.EndsWith('/') ? baseUrl : new Uri(baseUrl.AbsoluteUri + "/");
            using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(root, "models"));
            if (!string.IsNullOrEmpty(apiKey)) request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", apiKey);
            using var response = await http.SendAsync(request, timeout.Token).ConfigureAwait(false);
            if (!response.IsSuccessStatusCode) return null;
            using var document = JsonDocument.Parse(await response.Content.ReadAsStringAsync(timeout.Token).ConfigureAwait(false));
            if (!document.RootElement.TryGetProperty("data", out var data) || data.ValueKind != JsonValueKind.Array) return null;
            foreach (var entry in data.EnumerateArray())
            {
                if (entry.ValueKind == JsonValueKind.Object && entry.TryGetProperty("id", out var id) && id.ValueKind == JsonValueKind.String && id.GetString() == model)
                    return FromEntry(entry);
            }
            return null;
        }
        catch (Exception e) when (e is HttpRequestException or JsonException or OperationCanceledException or IOException)
        {
            return null; // the listing is a hint; without it the media is sent and a refusal teaches
        }
    }

    private static Modality? FromEntry(JsonElement entry)
    {
        var names = new List<string>();
        if (entry.TryGetProperty("architecture", out var architecture) && architecture.ValueKind == JsonValueKind.Object)
            Collect(architecture, "input_modalities", names);
        foreach (var key in new[] { "input_modalities", "modalities", "capabilities" }) Collect(entry, key, names);
        if (entry.TryGetProperty("type", out var type) && type.ValueKind == JsonValueKind.String) names.Add(type.GetString()!);
        var result = Modality.None;
        foreach (var name in names.Select(n => n.ToLowerInvariant()))
        {
            result |= name switch
            {
                "text" or "llm" or "completion" or "chat" => Modality.Text,
                "image" or "images" or "vision" or "vlm" => Modality.Text | Modality.Image,
                "audio" => Modality.Audio,
                "video" => Modality.Video,
                _ => Modality.None,
            };
        }
        return result == Modality.None ? null : result | Modality.Text;
    }

    private static void Collect(JsonElement parent, string key, List<string> names)
    {
        if (!parent.TryGetProperty(key, out var value)) return;
        if (value.ValueKind == JsonValueKind.Array)
            names.AddRange(value.EnumerateArray().Where(v => v.ValueKind == JsonValueKind.String).Select(v => v.GetString()!));
        else if (value.ValueKind == JsonValueKind.Object)
            names.AddRange(value.EnumerateObject().Where(p => p.Value.ValueKind == JsonValueKind.True).Select(p => p.Name));
    }

    [GeneratedRegex(@"not support|unsupported|does(n't| not) (accept|take|handle)|cannot (accept|process|handle)|only (supports|accepts) text|not (a )?multimodal|no (vision|audio) (support|capabilit)", RegexOptions.IgnoreCase)]
    private static partial Regex UnsupportedInput();

    [GeneratedRegex(@"audio", RegexOptions.IgnoreCase)]
    private static partial Regex AudioMentioned();

    [GeneratedRegex(@"image|vision|picture", RegexOptions.IgnoreCase)]
    private static partial Regex ImageMentioned();
}
