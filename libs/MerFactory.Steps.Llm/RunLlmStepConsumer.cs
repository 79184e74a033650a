using MerFactory.Contracts;
using MerFactory.Contracts.Llm;
using MerFactory.Jobs.Steps;
using MerFactory.Llm;
using MerFactory.Storage;

namespace MerFactory.Steps.Llm;

/// <summary>
/// Runs one LLM step through <see cref="ILlmGateway"/>; its outcome is the step's typed response, kept in its manifest.
/// <para>
/// Two caches meet here and must not contradict each other. The step key (this consumer's manifest) covers the
/// request <em>and the resolved route</em> — backend, kind, base URL, model, capabilities and sampling parameters —
/// so switching models or parameters misses the step cache and reaches the gateway, whose response cache (keyed on
/// exactly what is sent) then decides whether the backend is called. Requests that differ only in inputs the model
/// never sees (evidence for a model that takes the media itself) miss the step cache and hit the response cache.
/// </para>
/// </summary>
public sealed class RunLlmStepConsumer(ArtifactStore artifacts, LlmStepGateways gateways, LlmMediaCache mediaCache) : StepConsumer<RunLlmStep, LlmStepOutcome>(artifacts)
{
    /// <summary>Failure kind of an <see cref="LlmGatewayException"/>, carried in the fault's exception data.</summary>
    public const string FailureKindKey = "LlmFailureKind";

    protected override IEnumerable<ObjectReference> Inputs(RunLlmStep request) =>
        [.. request.Media ?? [], .. request.Evidence?.Frames ?? []];

    protected override object?[] Parameters(RunLlmStep request) => gateways.KeyParameters(request);

    protected override async Task<LlmStepOutcome> ExecuteAsync(RunLlmStep request, StepWorkspace workspace, CancellationToken cancellationToken)
    {
        var (step, gateway) = gateways.For(request);
        foreach (var input in Inputs(request))
        {
            if (string.IsNullOrEmpty(input.Sha256))
                throw new StepInputException($"LLM step '{request.Step}' of {request.FileId}: media '{input.Key}' has no SHA-256 (resolve the reference before sending; the step key depends on it).");
        }

        var media = await LoadAsync(request.Media ?? [], request, cancellationToken).ConfigureAwait(false);
        var evidence = request.Evidence is null ? null : new MediaEvidence(
            await LoadAsync(request.Evidence.Frames ?? [], request, cancellationToken).ConfigureAwait(false),
            request.Evidence.Transcript, request.Evidence.ProsodySummary);

        LlmStepResult result;
        try
        {
            result = await gateway.RunAsync(new LlmStepRequest(step, request.Prompt, media, evidence) { SampleId = request.FileId, UseCache = request.UseCache != false }, cancellationToken).ConfigureAwait(false);
        }
        catch (LlmGatewayException e)
        {
            // The gateway has already retried under its own policy; message-level retries would multiply paid
            // calls, so the step fails at once with the gateway's message (never stored, never cached).
            var failure = new StepInputException($"{request.FileId}: {e.Message}", e);
            failure.Data[FailureKindKey] = e.Kind.ToString();
            throw failure;
        }
        catch (ArgumentException e)
        {
            throw new StepInputException($"{request.FileId}: {e.Message}", e);
        }

        return new LlmStepOutcome(step.ToKebab(), result.Status.ToString(), result.Text, result.Backend, result.BackendKind?.ToString(), result.Model,
            result.Degradation.Kind.ToString(), string.IsNullOrEmpty(result.Degradation.Description) ? null : result.Degradation.Description,
            result.Usage.InputTokens, result.Usage.OutputTokens, result.Cached, result.Attempts, result.SkipReason);
    }

    private async Task<List<MediaAttachment>> LoadAsync(IReadOnlyList<ObjectReference> references, RunLlmStep request, CancellationToken cancellationToken)
    {
        var attachments = new MediaAttachment[references.Count];
        // A video description's sampled frames come from the store one request each: fetch a few at a time.
        await Parallel.ForEachAsync(Enumerable.Range(0, references.Count), new ParallelOptions { MaxDegreeOfParallelism = 4, CancellationToken = cancellationToken },
            async (i, ct) => attachments[i] = await LoadAsync(references[i], request, ct).ConfigureAwait(false)).ConfigureAwait(false);
        return [.. attachments];
    }

    private async Task<MediaAttachment> LoadAsync(ObjectReference reference, RunLlmStep request, CancellationToken cancellationToken)
    {
        var name = LlmStepGateways.MediaName(reference);
        var mime = reference.ContentType is { Length: > 0 } declared && !declared.Equals("application/octet-stream", StringComparison.OrdinalIgnoreCase)
            ? declared
            : MimeTypes.FromExtension(reference.Key)
                ?? throw new StepInputException($"LLM step '{request.Step}' of {request.FileId}: media '{reference.Key}' has no content type and an unknown extension.");
        if (mediaCache.TryGet(reference, name, mime) is { } cached) return cached;
        try
        {
            var stream = await Artifacts.Objects.OpenReadAsync(reference.Key, cancellationToken).ConfigureAwait(false);
            await using (stream.ConfigureAwait(false))
            {
                var attachment = await MediaAttachment.FromStreamAsync(stream, name, mime, cancellationToken).ConfigureAwait(false);
                mediaCache.Add(reference, name, mime, attachment);
                return attachment;
            }
        }
        catch (ObjectNotFoundException e)
        {
            throw new StepInputException($"LLM step '{request.Step}' of {request.FileId}: media '{reference.Key}' is not in the object store.", e);
        }
        catch (InvalidDataException e)
        {
            throw new StepInputException($"LLM step '{request.Step}' of {request.FileId}: media '{reference.Key}': {e.Message}", e);
        }
    }
}
