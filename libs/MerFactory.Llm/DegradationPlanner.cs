using System.Text;
using MerFactory.Llm.Backends;
using MerFactory.Llm.Routing;
using Microsoft.Extensions.AI;

namespace MerFactory.Llm;

/// <summary>
/// Turns a step request into the chat messages a given model can take. When the model lacks a modality the
/// request needs, it substitutes the caller's evidence (frames, transcript, prosody) and says so in the prompt
/// and in the result; when no evidence can stand in, the step is skipped with the reason. Pure: no I/O.
/// </summary>
public static class DegradationPlanner
{
    public sealed record Plan(IReadOnlyList<ChatMessage>? Messages, LlmDegradation Degradation, string? SkipReason);

    public static Plan Build(LlmStepRequest request, LlmBackendKind kind, string model, Modality capabilities)
    {
        var media = request.MediaList;
        var evidence = request.Evidence;
        var needsText = media.Count == 0 || request.Step.RequiredModality() == Modality.Text;
        if (!capabilities.HasFlag(Modality.Text) && needsText)
            return Skip($"model '{model}' takes no text prompts (capabilities: {capabilities}), so it cannot serve the {request.Step.ToKebab()} step");

        var parts = new List<AIContent> { new TextContent(request.Prompt) };
        var notes = new StringBuilder();
        var degradation = LlmDegradation.None;

        foreach (var item in media)
        {
            var modality = item.Modality;
            if (Accepts(kind, capabilities, item))
            {
                parts.Add(ToContent(item));
                continue;
            }
            var why = capabilities.HasFlag(modality) ? $"{kind} does not accept {item.MimeType}" : $"model '{model}' does not take {modality.ToString().ToLowerInvariant()}";
            switch (modality)
            {
                case Modality.Video when capabilities.HasFlag(Modality.Image) && evidence?.FrameList.Count > 0:
                    foreach (var frame in evidence.FrameList) parts.Add(ToContent(frame));
                    notes.Append($"[Input note: the video '{item.Name}' could not be given to this model, so {evidence.FrameList.Count} frames sampled from it are attached instead, in time order. Treat them as stills from one continuous clip.]");
                    AppendSpeech(notes, evidence);
                    degradation = new(DegradationKind.VideoAsFrames, $"{why}; sent {evidence.FrameList.Count} sampled frames{SpeechSuffix(evidence)} instead of the video");
                    break;
                case Modality.Video when HasSpeech(evidence):
                    notes.Append($"[Input note: the video '{item.Name}' could not be given to this model, and it takes no images either. Only what was said in the clip and how it sounded are available, below.]");
                    AppendSpeech(notes, evidence!);
                    degradation = new(DegradationKind.VideoAsTranscript, $"{why} (nor images); sent{SpeechSuffix(evidence!, leading: false)} instead of the video");
                    break;
                case Modality.Video:
                    return Skip($"{why}, and no sampled frames{(capabilities.HasFlag(Modality.Image) ? "" : " usable by it")} or transcript were supplied to stand in for '{item.Name}'");
                case Modality.Audio when HasSpeech(evidence):
                    notes.Append($"[Input note: the audio '{item.Name}' could not be given to this model. Its transcript and a description of the voice, produced by separate tools, are below; base the answer on them.]");
                    AppendSpeech(notes, evidence!);
                    degradation = new(DegradationKind.AudioAsTranscript, $"{why}; sent{SpeechSuffix(evidence!, leading: false)} instead of the audio");
                    break;
                case Modality.Audio:
                    return Skip($"{why}, and no transcript or prosody summary was supplied to stand in for '{item.Name}'");
                default:
                    return Skip($"{why}; nothing can stand in for '{item.Name}'");
            }
        }

        if (notes.Length > 0) ((TextContent)parts[0]).Text = request.Prompt + "\n\n" + notes.ToString().TrimEnd();

        var messages = new List<ChatMessage>();
        if (!string.IsNullOrEmpty(request.SystemPrompt)) messages.Add(new ChatMessage(ChatRole.System, request.SystemPrompt));
        messages.Add(new ChatMessage(ChatRole.User, parts));
        return new Plan(messages, degradation, null);
    }

    private static Plan Skip(string reason) => new(null, LlmDegradation.None, reason);

    private static bool Accepts(LlmBackendKind kind, Modality capabilities, MediaAttachment item)
    {
        if (!capabilities.HasFlag(item.Modality) || item.Modality == Modality.Text) return false;
        // OpenAI's input_audio takes only wav and mp3; Ollama's /api/chat takes only images.
        return kind switch
        {
            LlmBackendKind.OpenAI or LlmBackendKind.OpenAICompatible when item.Modality == Modality.Audio => ModelCapabilities.OpenAiAudioFormats.ContainsKey(item.MimeType),
            LlmBackendKind.OpenAI or LlmBackendKind.OpenAICompatible or LlmBackendKind.Ollama => item.Modality == Modality.Image || (kind != LlmBackendKind.Ollama && item.Modality == Modality.Audio),
            _ => true,
        };
    }

    private static bool HasSpeech(MediaEvidence? evidence) =>
        !string.IsNullOrWhiteSpace(evidence?.Transcript) || !string.IsNullOrWhiteSpace(evidence?.ProsodySummary);

    private static void AppendSpeech(StringBuilder notes, MediaEvidence evidence)
    {
        notes.Append('\n');
        notes.Append("Speech transcript: ").Append(string.IsNullOrWhiteSpace(evidence.Transcript) ? "(none available)" : $"\"{evidence.Transcript.Trim()}\"").Append('\n');
        if (!string.IsNullOrWhiteSpace(evidence.ProsodySummary)) notes.Append("Voice and prosody: ").Append(evidence.ProsodySummary.Trim()).Append('\n');
    }

    private static string SpeechSuffix(MediaEvidence evidence, bool leading = true)
    {
        var items = new List<string>();
        if (!string.IsNullOrWhiteSpace(evidence.Transcript)) items.Add("the transcript");
        if (!string.IsNullOrWhiteSpace(evidence.ProsodySummary)) items.Add("the prosody summary");
        if (items.Count == 0) return "";
        return (leading ? " plus " : " ") + string.Join(" and ", items);
    }

    internal static DataContent ToContent(MediaAttachment item) => new(item.Content, item.MimeType) { Name = item.Name };
}
