using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;

namespace MerFactory.Export.Sources;

/// <summary>
/// Parses the Python literals (<c>repr</c> of lists and dicts) that export.py wrote into CSV cells, so CSVs from
/// Python MER-Factory can still be converted. Strings, numbers, True/False/None, lists, tuples and dicts.
/// </summary>
internal static class PythonLiteral
{
    public static JsonNode? Parse(string text)
    {
        var position = 0;
        var node = ParseValue(text, ref position);
        SkipSpace(text, ref position);
        if (position != text.Length) throw new FormatException($"unexpected '{text[position]}' at {position}");
        return node;
    }

    public static bool TryParse(string text, out JsonNode? node)
    {
        try
        {
            node = Parse(text);
            return true;
        }
        catch (FormatException)
        {
            node = null;
            return false;
        }
    }

    private static JsonNode? ParseValue(string s, ref int i)
    {
        SkipSpace(s, ref i);
        if (i >= s.Length) throw new FormatException("unexpected end");
        var c = s[i];
        switch (c)
        {
            case '[':
            case '(':
                return ParseList(s, ref i, c == '[' ? ']' : ')');
            case '{':
                return ParseDict(s, ref i);
            case '\'':
            case '"':
                return JsonValue.Create(ParseString(s, ref i));
        }
        if (Word(s, ref i, "True")) return JsonValue.Create(true);
        if (Word(s, ref i, "False")) return JsonValue.Create(false);
        if (Word(s, ref i, "None")) return null;
        var start = i;
        while (i < s.Length && (char.IsDigit(s[i]) || s[i] is '-' or '+' or '.' or 'e' or 'E')) i++;
        if (start == i) throw new FormatException($"unexpected '{c}' at {i}");
        var number = s[start..i];
        if (long.TryParse(number, NumberStyles.Integer, CultureInfo.InvariantCulture, out var whole)) return JsonValue.Create(whole);
        if (double.TryParse(number, NumberStyles.Float, CultureInfo.InvariantCulture, out var real)) return JsonValue.Create(real);
        throw new FormatException($"bad number '{number}'");
    }

    private static JsonArray ParseList(string s, ref int i, char close)
    {
        i++;
        var array = new JsonArray();
        while (true)
        {
            SkipSpace(s, ref i);
            if (i < s.Length && s[i] == close) { i++; return array; }
            array.Add(ParseValue(s, ref i));
            SkipSpace(s, ref i);
            if (i < s.Length && s[i] == ',') { i++; continue; }
            if (i < s.Length && s[i] == close) { i++; return array; }
            throw new FormatException($"expected ',' or '{close}' at {i}");
        }
    }

    private static JsonObject ParseDict(string s, ref int i)
    {
        i++;
        var obj = new JsonObject();
        while (true)
        {
            SkipSpace(s, ref i);
            if (i < s.Length && s[i] == '}') { i++; return obj; }
            var key = ParseValue(s, ref i)?.ToString() ?? "None";
            SkipSpace(s, ref i);
            if (i >= s.Length || s[i] != ':') throw new FormatException($"expected ':' at {i}");
            i++;
            obj[key] = ParseValue(s, ref i);
            SkipSpace(s, ref i);
            if (i < s.Length && s[i] == ',') { i++; continue; }
            if (i < s.Length && s[i] == '}') { i++; return obj; }
            throw new FormatException($"expected ',' or '}}' at {i}");
        }
    }

    private static string ParseString(string s, ref int i)
    {
        var quote = s[i++];
        var builder = new StringBuilder();
        while (i < s.Length && s[i] != quote)
        {
            if (s[i] == '\\' && i + 1 < s.Length)
            {
                var next = s[i + 1];
                i += 2;
                switch (next)
                {
                    case 'n': builder.Append('\n'); break;
                    case 't': builder.Append('\t'); break;
                    case 'r': builder.Append('\r'); break;
                    case 'x' when i + 2 <= s.Length:
                        builder.Append((char)Convert.ToInt32(s.Substring(i, 2), 16));
                        i += 2;
                        break;
                    case 'u' when i + 4 <= s.Length:
                        builder.Append((char)Convert.ToInt32(s.Substring(i, 4), 16));
                        i += 4;
                        break;
                    default: builder.Append(next); break;
                }
                continue;
            }
            builder.Append(s[i++]);
        }
        if (i >= s.Length) throw new FormatException("unterminated string");
        i++;
        return builder.ToString();
    }

    private static bool Word(string s, ref int i, string word)
    {
        if (string.CompareOrdinal(s, i, word, 0, word.Length) != 0) return false;
        i += word.Length;
        return true;
    }

    private static void SkipSpace(string s, ref int i)
    {
        while (i < s.Length && char.IsWhiteSpace(s[i])) i++;
    }
}
