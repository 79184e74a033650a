using System.Text;

namespace MerFactory.GateAgent;

/// <summary>Writes refined instructions as MER-Factory does: <c>OUT/{id}/refined_prompt_{modality}_{n}.txt</c>.</summary>
public static class RefinedPromptFiles
{
    private static readonly UTF8Encoding Utf8NoBom = new(encoderShouldEmitUTF8Identifier: false);

    /// <summary>Writes each prompt to <paramref name="folder"/> (created when missing) and returns the paths written.</summary>
    public static async Task<IReadOnlyList<string>> WriteAsync(IEnumerable<RefinedPrompt> prompts, string folder, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(prompts);
        ArgumentException.ThrowIfNullOrWhiteSpace(folder);
        Directory.CreateDirectory(folder);
        var written = new List<string>();
        foreach (var prompt in prompts)
        {
            var path = Path.Combine(folder, prompt.FileName);
            await File.WriteAllTextAsync(path, prompt.Instruction, Utf8NoBom, cancellationToken).ConfigureAwait(false);
            written.Add(path);
        }

        return written;
    }
}
