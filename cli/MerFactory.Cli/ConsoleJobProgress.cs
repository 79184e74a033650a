using System.Collections.Concurrent;
using MerFactory.Pipeline.Orchestration;
using Spectre.Console;

namespace MerFactory.Cli;

/// <summary>Progress on the console: bars per stage and for the files in a terminal, plain lines otherwise.</summary>
internal abstract class ConsoleJobProgress : IJobProgress
{
    public static ConsoleJobProgress Create(IAnsiConsole console, bool silent) =>
        console.Profile.Capabilities.Interactive ? new BarProgress(console, silent) : new LineProgress(console, silent);

    public virtual Task<T> RunAsync<T>(Func<Task<T>> work) => work();

    public abstract void JobStarted(int files);
    public abstract void FileStarted(string fileId);
    public abstract void StepStarted(string fileId, string step);
    public abstract void StepFinished(string fileId, string step, bool fromCache);
    public abstract void StepFailed(string fileId, string step, string message);
    public abstract void FileFinished(string fileId, FileOutcome outcome);

    private sealed class LineProgress(IAnsiConsole console, bool silent) : ConsoleJobProgress
    {
        private readonly Lock _gate = new();
        private int _done;
        private int _total;

        private void Line(string text)
        {
            lock (_gate) console.WriteLine(text);
        }

        public override void JobStarted(int files) => _total = files;
        public override void FileStarted(string fileId) { if (!silent) Line($"Processing: {fileId}"); }
        public override void StepStarted(string fileId, string step) { }
        public override void StepFinished(string fileId, string step, bool fromCache) { if (!silent) Line($"  {fileId}: {step} {(fromCache ? "(cached)" : "done")}"); }
        public override void StepFailed(string fileId, string step, string message) => Line($"  {fileId}: {step} failed: {message}");
        public override void FileFinished(string fileId, FileOutcome outcome)
        {
            var done = Interlocked.Increment(ref _done);
            var verb = outcome.Status switch { FileStatus.Succeeded => "Finished", FileStatus.Skipped => "Skipped", _ => "Failed" };
            Line($"[{done}/{_total}] {verb} {fileId} ({outcome.Seconds:0.0}s)");
        }
    }

    private sealed class BarProgress(IAnsiConsole console, bool silent) : ConsoleJobProgress
    {
        private readonly ConcurrentDictionary<string, ProgressTask> _stages = new();
        private ProgressContext? _context;
        private ProgressTask? _files;
        private int _total;

        public override async Task<T> RunAsync<T>(Func<Task<T>> work)
        {
            T result = default!;
            await console.Progress()
                .AutoClear(false)
                .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new SpinnerColumn(), new ElapsedTimeColumn())
                .StartAsync(async ctx =>
                {
                    _context = ctx;
                    _files = ctx.AddTask("Processing files...", maxValue: Math.Max(1, _total));
                    result = await work().ConfigureAwait(false);
                }).ConfigureAwait(false);
            return result;
        }

        private ProgressTask Stage(string step) =>
            _stages.GetOrAdd(step, s => _context!.AddTask($"  {s}", maxValue: Math.Max(1, _total)));

        public override void JobStarted(int files)
        {
            _total = files;
            if (_files is not null) _files.MaxValue = Math.Max(1, files);
        }

        public override void FileStarted(string fileId) { }
        public override void StepStarted(string fileId, string step) => Stage(step);
        public override void StepFinished(string fileId, string step, bool fromCache) => Stage(step).Increment(1);
        public override void StepFailed(string fileId, string step, string message) => Stage(step).Increment(1);
        public override void FileFinished(string fileId, FileOutcome outcome)
        {
            _files?.Increment(1);
            if (!silent || outcome.Status == FileStatus.Failed)
                console.MarkupLineInterpolated($"{(outcome.Status == FileStatus.Failed ? "[red]Failed[/]" : outcome.Status == FileStatus.Skipped ? "Skipped" : "Finished")} {fileId}");
        }
    }
}
