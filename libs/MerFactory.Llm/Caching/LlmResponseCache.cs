using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using MerFactory.Storage;
using Microsoft.Extensions.AI;

namespace MerFactory.Llm.Caching;

/// <summary>A stored answer. Only successful, non-empty answers are ever written.</summary>
public sealed record LlmCacheEntry(
    string Text, string Backend, string Model, long? InputTokens, long? OutputTokens,
    DegradationKind Degradation, string? DegradationDescription, DateTimeOffset CreatedUtc);

public interface ILlmResponseCache
{
    Task<LlmCacheEntry?> TryGetAsync(string key, CancellationToken cancellationToken);
    Task SetAsync(string key, LlmCacheEntry entry, CancellationToken cancellationToken);
}

/// <summary>
/// Response cache in the object store, so re-runs and redeliveries on any worker never pay twice.
/// One small JSON object per answer under <c>{prefix}{hash[0..2]}/{hash}.json</c>.
/// </summary>
public sealed class ObjectStoreLlmResponseCache(IObjectStore store, string prefix = "llm-cache/") : ILlmResponseCache
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { Converters = { new JsonStringEnumConverter() } };

    public string ObjectKey(string key) => $"{prefix}{key[..2]}/{key}.json";

    public async Task<LlmCacheEntry?> TryGetAsync(string key, CancellationToken cancellationToken)
    {
        Stream stream;
        try
        {
            stream = await store.OpenReadAsync(ObjectKey(key), cancellationToken).ConfigureAwait(false);
        }
        catch (ObjectNotFoundException)
        {
            return null;
        }
        await using (stream.ConfigureAwait(false))
        {
            try
            {
                var entry = await JsonSerializer.DeserializeAsync<LlmCacheEntry>(stream, Json, cancellationToken).ConfigureAwait(false);
                // A damaged entry is a miss; the fresh answer overwrites it.
                return entry is { Text.Length: > 0 } ? entry : null;
            }
            catch (JsonException)
            {
                return null;
            }
        }
    }

    public async Task SetAsync(string key, LlmCacheEntry entry, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(entry.Text)) throw new ArgumentException("Empty answers are never cached.", nameof(entry));
        using var buffer = new MemoryStream(JsonSerializer.SerializeToUtf8Bytes(entry, Json));
        await store.PutAsync(ObjectKey(key), buffer, "application/json", cancellationToken).ConfigureAwait(false);
    }
}

/// <summary>
/// The cache key: SHA-256 over a canonical description of exactly what is sent — backend name and kind, model,
/// sampling parameters, every text part verbatim and the SHA-256 of every media part. Any change misses.
/// </summary>
public static class LlmCacheKey
{
    public static string Compute(string backend, LlmBackendKind kind, IEnumerable<ChatMessage> messages, ChatOptions options)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteNumber("v", 1);
            writer.WriteString("backend", backend);
            writer.WriteString("kind", kind.ToString());
            writer.WriteString("model", options.ModelId);
            WriteNullable(writer, "temperature", options.Temperature);
            WriteNullable(writer, "max_output_tokens", options.MaxOutputTokens);
            WriteNullable(writer, "top_p", options.TopP);
            WriteNullable(writer, "seed", options.Seed);
            writer.WriteStartArray("messages");
            foreach (var message in messages)
            {
                writer.WriteStartObject();
                writer.WriteString("role", message.Role.Value);
                writer.WriteStartArray("parts");
                foreach (var content in message.Contents)
                {
                    writer.WriteStartObject();
                    switch (content)
                    {
                        case TextContent text:
                            writer.WriteString("text", text.Text);
                            break;
                        case DataContent data:
                            writer.WriteString("mime", data.MediaType);
                            writer.WriteString("sha256", Convert.ToHexStringLower(SHA256.HashData(data.Data.Span)));
                            break;
                        default:
                            writer.WriteString("other", content.GetType().Name);
                            break;
                    }
                    writer.WriteEndObject();
                }
                writer.WriteEndArray();
                writer.WriteEndObject();
            }
            writer.WriteEndArray();
            writer.WriteEndObject();
        }
        return Convert.ToHexStringLower(SHA256.HashData(buffer.ToArray()));
    }

    private static void WriteNullable<T>(Utf8JsonWriter writer, string name, T? value) where T : struct
    {
        if (value is null) writer.WriteNull(name);
        else writer.WriteString(name, Convert.ToString(value, System.Globalization.CultureInfo.InvariantCulture));
    }
}
