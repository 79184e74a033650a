using System.Text.Json;
using MerFactory.ModelHost.Inference;

namespace MerFactory.ModelHost.Http;

/// <summary>A request the host cannot accept as written: 400 invalid_request_error naming the field.</summary>
public sealed class InvalidChatRequestException(string message, string? param = null) : Exception(message)
{
    public string? Param { get; } = param;
}

/// <summary>A parsed <c>POST /v1/chat/completions</c> body.</summary>
public sealed record ChatRequest(string Model, IReadOnlyList<PromptMessage> Messages, GenerationSettings Settings, bool Stream, bool IncludeUsage);

/// <summary>
/// Reads OpenAI chat-completion bodies: content as a string or parts — <c>text</c>, <c>image_url</c> with a data URL,
/// <c>input_audio</c> {data, format}, <c>file</c> {file_data: data URL} and the host's <c>input_video</c> {data, format}
/// (llama-server has neither video part).
/// Media must travel inline: http(s) and file URLs are refused, so the host never reads the client's paths.
/// </summary>
public static class ChatRequestReader
{
    public static ChatRequest Read(JsonElement body, int defaultMaxTokens)
    {
        if (body.ValueKind != JsonValueKind.Object) throw new InvalidChatRequestException("the body must be a JSON object");
        var model = body.TryGetProperty("model", out var m) && m.ValueKind == JsonValueKind.String ? m.GetString()! : "";
        if (!body.TryGetProperty("messages", out var messages) || messages.ValueKind != JsonValueKind.Array || messages.GetArrayLength() == 0)
            throw new InvalidChatRequestException("'messages' must be a non-empty array", "messages");
        var parsed = messages.EnumerateArray().Select((message, i) => ReadMessage(message, i)).ToList();

        var maxTokens = Int(body, "max_completion_tokens") ?? Int(body, "max_tokens") ?? defaultMaxTokens;
        if (maxTokens <= 0) throw new InvalidChatRequestException("max_tokens must be positive", "max_tokens");
        var temperature = Float(body, "temperature") ?? 0f;
        var topP = Float(body, "top_p") ?? 1f;
        uint? seed = body.TryGetProperty("seed", out var s) && s.TryGetInt64(out var sl) ? unchecked((uint)sl) : null;
        var stream = body.TryGetProperty("stream", out var st) && st.ValueKind == JsonValueKind.True;
        var includeUsage = body.TryGetProperty("stream_options", out var so) && so.ValueKind == JsonValueKind.Object
            && so.TryGetProperty("include_usage", out var iu) && iu.ValueKind == JsonValueKind.True;
        return new ChatRequest(model, parsed, new GenerationSettings(maxTokens, temperature, topP, seed), stream, includeUsage);
    }

    private static PromptMessage ReadMessage(JsonElement message, int index)
    {
        var where = $"messages[{index}]";
        if (message.ValueKind != JsonValueKind.Object) throw new InvalidChatRequestException($"{where} must be an object", where);
        var role = message.TryGetProperty("role", out var r) && r.ValueKind == JsonValueKind.String ? r.GetString()! : "";
        if (role is not ("system" or "user" or "assistant" or "developer")) throw new InvalidChatRequestException($"{where}.role '{role}' is not system, user or assistant", where + ".role");
        if (role == "developer") role = "system";
        if (!message.TryGetProperty("content", out var content)) throw new InvalidChatRequestException($"{where} has no content", where + ".content");
        if (content.ValueKind == JsonValueKind.String) return new PromptMessage(role, [new TextPart(content.GetString()!)]);
        if (content.ValueKind != JsonValueKind.Array) throw new InvalidChatRequestException($"{where}.content must be a string or an array of parts", where + ".content");
        var parts = new List<PromptPart>();
        var i = 0;
        foreach (var part in content.EnumerateArray()) parts.Add(ReadPart(part, $"{where}.content[{i++}]"));
        return new PromptMessage(role, parts);
    }

    private static PromptPart ReadPart(JsonElement part, string where)
    {
        var type = part.TryGetProperty("type", out var t) && t.ValueKind == JsonValueKind.String ? t.GetString() : null;
        switch (type)
        {
            case "text":
                return new TextPart(part.TryGetProperty("text", out var text) && text.ValueKind == JsonValueKind.String ? text.GetString()! : throw new InvalidChatRequestException($"{where}.text is missing", where));
            case "image_url":
                var url = part.TryGetProperty("image_url", out var iu) ? iu.ValueKind == JsonValueKind.String ? iu.GetString() : iu.TryGetProperty("url", out var u) ? u.GetString() : null : null;
                return DataUrl(url ?? throw new InvalidChatRequestException($"{where}.image_url.url is missing", where), where);
            case "input_audio":
                return Inline(part, "input_audio", ModelModality.Audio, where);
            case "input_video":
                return Inline(part, "input_video", ModelModality.Video, where);
            case "file":
                // OpenAI's file part {file: {file_data: data URL, filename}}: how the OpenAI SDK sends a whole clip.
                var fileData = part.TryGetProperty("file", out var file) && file.ValueKind == JsonValueKind.Object
                    && file.TryGetProperty("file_data", out var fd) && fd.ValueKind == JsonValueKind.String ? fd.GetString() : null;
                return DataUrl(fileData ?? throw new InvalidChatRequestException($"{where}.file.file_data is missing (file ids are not served)", where), where);
            default:
                throw new InvalidChatRequestException($"{where}: unknown part type '{type}' (text, image_url, input_audio, input_video, file)", where);
        }
    }

    private static MediaPart DataUrl(string url, string where)
    {
        if (!url.StartsWith("data:", StringComparison.OrdinalIgnoreCase))
            throw new InvalidChatRequestException($"{where}: media must be sent inline as a data URL, not fetched from '{(url.Length > 40 ? url[..40] + "…" : url)}'", where);
        var comma = url.IndexOf(',', StringComparison.Ordinal);
        var header = comma < 0 ? "" : url[5..comma];
        if (comma < 0 || !header.EndsWith(";base64", StringComparison.OrdinalIgnoreCase)) throw new InvalidChatRequestException($"{where}: the data URL must be base64", where);
        var mime = header[..^7];
        var kind = mime.StartsWith("image/", StringComparison.OrdinalIgnoreCase) ? ModelModality.Image
            : mime.StartsWith("audio/", StringComparison.OrdinalIgnoreCase) ? ModelModality.Audio
            : mime.StartsWith("video/", StringComparison.OrdinalIgnoreCase) ? ModelModality.Video
            : throw new InvalidChatRequestException($"{where}: unsupported media type '{mime}'", where);
        return new MediaPart(kind, Base64(url.AsSpan(comma + 1), where), mime[(mime.IndexOf('/', StringComparison.Ordinal) + 1)..]);
    }

    private static MediaPart Inline(JsonElement part, string name, ModelModality kind, string where)
    {
        if (!part.TryGetProperty(name, out var media) || media.ValueKind != JsonValueKind.Object
            || !media.TryGetProperty("data", out var data) || data.ValueKind != JsonValueKind.String)
            throw new InvalidChatRequestException($"{where}.{name}.data is missing", where);
        var format = media.TryGetProperty("format", out var f) && f.ValueKind == JsonValueKind.String ? f.GetString()! : "";
        return new MediaPart(kind, Base64(data.GetString().AsSpan(), where), format);
    }

    private static byte[] Base64(ReadOnlySpan<char> text, string where)
    {
        var buffer = new byte[text.Length * 3 / 4 + 3];
        return Convert.TryFromBase64Chars(text, buffer, out var written) && written > 0 ? buffer[..written]
            : throw new InvalidChatRequestException($"{where}: media data is not valid base64", where);
    }

    private static int? Int(JsonElement body, string name) =>
        body.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Number ? v.TryGetInt32(out var i) ? i : throw new InvalidChatRequestException($"{name} is out of range", name) : null;

    private static float? Float(JsonElement body, string name) =>
        body.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Number ? v.GetSingle() : null;
}
