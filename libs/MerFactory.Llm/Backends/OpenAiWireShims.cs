using MerFactory.Llm.Routing;
using Microsoft.Extensions.AI;
using OpenAI.Chat;
using ChatMessage = Microsoft.Extensions.AI.ChatMessage;

namespace MerFactory.Llm.Backends;

/// <summary>
/// The few places where MerFactory's requests need more than Microsoft.Extensions.AI's OpenAI mapping gives:
/// media the mapping would silently drop are either rewritten into parts the server takes or refused loudly, and
/// servers other than OpenAI get <c>max_tokens</c>.
/// </summary>
internal static class OpenAiWireShims
{
    /// <summary>Messages with their media in the forms chat completions take (wav/mp3 input_audio, images, the model host's video).</summary>
    public static List<ChatMessage> Messages(IEnumerable<ChatMessage> messages, LlmBackendKind kind, string backend, string model)
    {
        var result = new List<ChatMessage>();
        foreach (var message in messages)
        {
            if (!message.Contents.Any(c => c is DataContent))
            {
                result.Add(message);
                continue;
            }
            var contents = message.Contents.Select(content => content is DataContent data ? Media(data, kind, backend, model) : content).ToList();
            result.Add(new ChatMessage(message.Role, contents) { AuthorName = message.AuthorName });
        }
        return result;
    }

    private static AIContent Media(DataContent data, LlmBackendKind kind, string backend, string model)
    {
        if (data.HasTopLevelMediaType("image")) return data;
        if (data.HasTopLevelMediaType("audio"))
        {
            // The mapping knows audio/wav and audio/mpeg only; their aliases would be dropped without a word.
            var format = ModelCapabilities.OpenAiAudioFormats.TryGetValue(data.MediaType, out var f) ? f
                : throw new LlmBackendException(backend, model, LlmFailureKind.ClientError, $"input_audio accepts wav or mp3, not {data.MediaType}");
            return new DataContent(data.Data, format == "wav" ? "audio/wav" : "audio/mpeg");
        }
        if (data.HasTopLevelMediaType("video") && kind == LlmBackendKind.HfServer)
        {
            // The model host takes a whole clip as a standard file part (it samples ≤15 frames at 1 fps plus the 16 kHz audio itself).
            var extension = data.MediaType["video/".Length..];
#pragma warning disable OPENAI001 // file parts are marked experimental in the SDK; the wire format is OpenAI's documented one.
            return new AIContent { RawRepresentation = ChatMessageContentPart.CreateFilePart(BinaryData.FromBytes(data.Data), data.MediaType, "clip." + extension) };
#pragma warning restore OPENAI001
        }
        throw new LlmBackendException(backend, model, LlmFailureKind.ClientError, $"chat completions cannot take {data.MediaType} content");
    }

    /// <summary>OpenAI's newer <c>max_completion_tokens</c> is unknown to some OpenAI-compatible servers; they get <c>max_tokens</c>.</summary>
    public static ChatOptions Options(ChatOptions options, LlmBackendKind kind)
    {
        if (kind == LlmBackendKind.OpenAI || options.MaxOutputTokens is not { } max) return options;
        var copy = options.Clone();
        copy.MaxOutputTokens = null;
        copy.RawRepresentationFactory = _ =>
        {
            var raw = new ChatCompletionOptions();
#pragma warning disable SCME0001 // JsonPatch is the SDK's way to send a property it does not model.
            raw.Patch.Set("$.max_tokens"u8, max);
#pragma warning restore SCME0001
            return raw;
        };
        return copy;
    }
}
