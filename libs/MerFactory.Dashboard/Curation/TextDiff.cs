using System.Text;
using DiffPlex.DiffBuilder;
using DiffPlex.DiffBuilder.Model;

namespace MerFactory.Dashboard.Curation;

/// <summary>A line diff of two texts ("- old" / "+ new" / "  same"), stored with every revision and shown for prompt versions.</summary>
public static class TextDiff
{
    public static string Unified(string oldText, string newText)
    {
        var model = InlineDiffBuilder.Diff(oldText, newText, ignoreWhiteSpace: false);
        var text = new StringBuilder();
        foreach (var line in model.Lines)
        {
            var mark = line.Type switch
            {
                ChangeType.Inserted => "+ ",
                ChangeType.Deleted => "- ",
                _ => "  ",
            };
            text.Append(mark).Append(line.Text).Append('\n');
        }
        return text.ToString();
    }
}
