using System.Diagnostics;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace MerFactory.GateAgent.Tools;

/// <summary>
/// The tools offered to the gate model. MER-Factory's shell and Python tools have no counterpart: every tool here is a
/// fixed, argument-validated computation over the sample's own files.
/// </summary>
public sealed partial class GateToolbox
{
    public static readonly ActivitySource Activity = new("MerFactory.GateAgent.Tools");

    private readonly Dictionary<string, IGateTool> _byName;

    public GateToolbox(IEnumerable<IGateTool> tools)
    {
        ArgumentNullException.ThrowIfNull(tools);
        Tools = [.. tools];
        _byName = new Dictionary<string, IGateTool>(StringComparer.Ordinal);
        foreach (var tool in Tools)
        {
            if (!ToolName().IsMatch(tool.Name)) throw new ArgumentException($"Tool name '{tool.Name}' must be lower-case letters and underscores.", nameof(tools));
            if (!_byName.TryAdd(tool.Name, tool)) throw new ArgumentException($"Tool name '{tool.Name}' is used twice.", nameof(tools));
        }
    }

    /// <summary>media_metrics, video_motion, subtitles, au_lookup, transcript_lookup.</summary>
    public static GateToolbox CreateDefault() =>
        new([new MediaMetricsTool(), new VideoMotionTool(), new SubtitlesTool(), new AuLookupTool(), new TranscriptLookupTool()]);

    public IReadOnlyList<IGateTool> Tools { get; }

    /// <summary>The tools whose data this sample has, in declaration order.</summary>
    public IReadOnlyList<IGateTool> AvailableFor(GateToolContext context) => [.. Tools.Where(t => t.IsAvailable(context))];

    /// <summary>
    /// Validates the arguments and runs the tool. Never throws for anything the model did or the media caused: the
    /// answer is then "ERROR: …". Output longer than <see cref="GateOptions.MaxToolOutputChars"/> is cut.
    /// </summary>
    public async Task<string> InvokeAsync(string toolName, JsonElement arguments, GateToolContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (!_byName.TryGetValue(toolName, out var tool) || !tool.IsAvailable(context))
        {
            var available = AvailableFor(context).Select(t => t.Name).ToList();
            return $"ERROR: unknown tool \"{toolName}\". Available tools: {(available.Count == 0 ? "none" : string.Join(", ", available))}.";
        }

        if (!GateToolArguments.TryBind(tool.Parameters, arguments, out var bound, out var error))
        {
            return $"ERROR: bad arguments for {tool.Name}: {error} Expected: {GateToolParameter.SchemaText(tool.Parameters)}";
        }

        using var activity = Activity.StartActivity("gate-tool " + tool.Name);
        activity?.SetTag("merfactory.gate.tool", tool.Name);
        string output;
        try
        {
            output = await tool.RunAsync(bound, context, cancellationToken).ConfigureAwait(false);
        }
        catch (GateToolException failure)
        {
            output = $"ERROR: {tool.Name} failed: {failure.Message}";
        }

        activity?.SetTag("merfactory.gate.tool.error", output.StartsWith("ERROR:", StringComparison.Ordinal));
        return TextLimits.Cut(output, context.Options.MaxToolOutputChars);
    }

    [GeneratedRegex("^[a-z][a-z_]*$")]
    private static partial Regex ToolName();
}
