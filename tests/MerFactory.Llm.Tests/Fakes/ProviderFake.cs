using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;

namespace MerFactory.Llm.Tests.Fakes;

/// <summary>One validated model call as the fake provider understood it.</summary>
public sealed record RecordedCall(string Model, IReadOnlyList<string> Texts, IReadOnlyList<RecordedMedia> Media, JsonObject Parameters, string? Method = null)
{
    public string AllText => string.Join("\n", Texts);
}

/// <summary>A media part as received: declared MIME, sniffed kind, SHA-256 of the decoded bytes, transport ("inline", "file", "data-url", "input_audio:wav").</summary>
public sealed record RecordedMedia(string Mime, string Sha256, string Via);

public abstract class ProviderFake : LoopbackServer
{
    public FaultScript Faults { get; } = new();
    public ConcurrentQueue<RecordedCall> Calls { get; } = new();

    /// <summary>Requests to the model endpoint (faulted ones included).</summary>
    public int ModelRequests => Volatile.Read(ref _modelRequests);
    private int _modelRequests;

    public int RetryAfterSeconds { get; set; } = 1;
    public HashSet<string> Models { get; } = new(StringComparer.Ordinal);

    protected Fault? NextFault()
    {
        Interlocked.Increment(ref _modelRequests);
        return Faults.Next();
    }

    protected static async Task<JsonObject?> ReadJsonAsync(HttpContext context)
    {
        using var reader = new StreamReader(context.Request.Body);
        var text = await reader.ReadToEndAsync();
        try
        {
            return JsonNode.Parse(text) as JsonObject;
        }
        catch (System.Text.Json.JsonException)
        {
            return null;
        }
    }

    protected static async Task HangAsync(HttpContext context)
    {
        // A connection that accepts the request and never answers; ends when the client gives up.
        try { await Task.Delay(Timeout.Infinite, context.RequestAborted); } catch (OperationCanceledException) { }
    }

    protected static string Sha(byte[] data) => Convert.ToHexStringLower(SHA256.HashData(data));

    protected static byte[]? DecodeBase64(string? data)
    {
        if (data is null) return null;
        try { return Convert.FromBase64String(data); } catch (FormatException) { return null; }
    }
}

/// <summary>Identifies media bytes by their magic numbers, as providers do before accepting them.</summary>
public static class MediaSniffer
{
    public static string? Sniff(ReadOnlySpan<byte> b)
    {
        if (b.Length >= 3 && b[0] == 0xFF && b[1] == 0xD8 && b[2] == 0xFF) return "image/jpeg";
        if (b.Length >= 8 && b[..8].SequenceEqual(new byte[] { 0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A })) return "image/png";
        if (b.Length >= 12 && b[..4].SequenceEqual("RIFF"u8) && b[8..12].SequenceEqual("WAVE"u8)) return "audio/wav";
        if (b.Length >= 3 && (b[..3].SequenceEqual("ID3"u8) || (b[0] == 0xFF && (b[1] & 0xE0) == 0xE0))) return "audio/mpeg";
        if (b.Length >= 4 && b[..4].SequenceEqual("fLaC"u8)) return "audio/flac";
        if (b.Length >= 12 && b[4..8].SequenceEqual("ftyp"u8)) return "video/mp4";
        return null;
    }

    /// <summary>True when <paramref name="declared"/> names the format the bytes actually have.</summary>
    public static bool Matches(string declared, byte[] bytes)
    {
        var sniffed = Sniff(bytes);
        if (sniffed is null) return false;
        var normalized = declared.ToLowerInvariant() switch
        {
            "audio/x-wav" or "audio/wave" => "audio/wav",
            "audio/mp3" => "audio/mpeg",
            "image/jpg" => "image/jpeg",
            var d => d,
        };
        return normalized == sniffed;
    }
}
