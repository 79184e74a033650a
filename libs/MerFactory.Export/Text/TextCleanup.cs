using System.Text;
using System.Text.RegularExpressions;

namespace MerFactory.Export.Text;

public static partial class TextCleanup
{
    /// <summary>Removes "(…)" groups, e.g. "Lid tightener (intensity: 2.78)" → "Lid tightener".</summary>
    public static string StripParentheticals(string text) => Parentheticals().Replace(text, "").Trim();

    /// <summary>
    /// Undoes export.py's CSV cleaning, which turned real newlines into the two characters <c>\n</c>.
    /// Only applied to CSVs written by export.py (recognised by their columns).
    /// </summary>
    public static string UnescapePythonNewlines(string text)
    {
        if (!text.Contains('\\')) return text;
        var builder = new StringBuilder(text.Length);
        for (var i = 0; i < text.Length; i++)
        {
            if (text[i] == '\\' && i + 1 < text.Length && text[i + 1] == 'n')
            {
                builder.Append('\n');
                i++;
            }
            else
            {
                builder.Append(text[i]);
            }
        }
        return builder.ToString();
    }

    public static bool HasWhitespace(string text) => text.Any(char.IsWhiteSpace);

    [GeneratedRegex(@"\s*\([^)]*\)")]
    private static partial Regex Parentheticals();
}
