using MerFactory.Llm.Tests.Fakes;
using MerFactory.Pipeline.Orchestration;

namespace MerFactory.Distributed.Tests;

/// <summary>
/// What the fake model was asked, by signature (model, text and media hashes), and the interruption point of a resume
/// test: from the <c>interruptAt</c>-th request on, the model holds its answers until <see cref="Release"/>, and
/// <see cref="Interrupt"/> completes once every earlier request's step has finished in the orchestrator (seen through
/// its progress events), so the requests in flight at the interruption are exactly <see cref="Held"/>.
/// </summary>
public sealed class LlmRequestLog : IJobProgress
{
    private readonly Lock _gate = new();
    private readonly List<string> _signatures = [];
    private readonly HashSet<string> _held = [];
    private readonly int _interruptAt;
    private readonly TaskCompletionSource _release = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _llmStepsFinished;
    private bool _holding;

    public LlmRequestLog(FakeOpenAi model, int interruptAt, Func<RecordedCall, string> answer)
    {
        _interruptAt = interruptAt;
        model.CallReceived += Received;
        model.Answer = call =>
        {
            bool hold;
            lock (_gate) hold = _holding && !_release.Task.IsCompleted;
            // A held answer is only ever given to a connection the interruption has closed (or delayed past it).
            if (hold) _release.Task.Wait();
            return answer(call);
        };
    }

    /// <summary>Completes when the requests before the interruption point are all answered and their steps finished.</summary>
    public TaskCompletionSource Interrupt { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public IReadOnlyList<string> Signatures
    {
        get { lock (_gate) return [.. _signatures]; }
    }

    /// <summary>Requests received while answers were held: in flight at the interruption.</summary>
    public IReadOnlySet<string> Held
    {
        get { lock (_gate) return new HashSet<string>(_held); }
    }

    /// <summary>Lets the model answer again (the interruption is over).</summary>
    public void Release() => _release.TrySetResult();

    public static string Signature(RecordedCall call) => $"{call.Model}|{call.AllText}|{string.Join(",", call.Media.Select(m => m.Sha256))}";

    private void Received(RecordedCall call)
    {
        lock (_gate)
        {
            var signature = Signature(call);
            _signatures.Add(signature);
            if (_release.Task.IsCompleted) return;
            if (_signatures.Count == _interruptAt) _holding = true;
            if (_holding) _held.Add(signature);
            CheckInterrupt();
        }
    }

    private void CheckInterrupt()
    {
        // One model request per LLM step (distinct inputs, fresh bucket): all earlier requests are done when as many LLM steps finished.
        if (_holding && _llmStepsFinished == _interruptAt - 1) Interrupt.TrySetResult();
    }

    public void JobStarted(int files) { }
    public void FileStarted(string fileId) { }
    public void StepStarted(string fileId, string step) { }

    public void StepFinished(string fileId, string step, bool fromCache)
    {
        if (!step.StartsWith("llm-", StringComparison.Ordinal)) return;
        lock (_gate)
        {
            if (_release.Task.IsCompleted) return;
            _llmStepsFinished++;
            CheckInterrupt();
        }
    }

    public void StepFailed(string fileId, string step, string message) { }
    public void FileFinished(string fileId, FileOutcome outcome) { }
}
