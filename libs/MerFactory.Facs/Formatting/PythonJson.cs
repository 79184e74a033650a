using System.Collections;
using System.Globalization;
using System.Text;

namespace MerFactory.Facs.Formatting;

/// <summary>An ordered JSON object for <see cref="PythonJson"/> (Python dicts keep insertion order).</summary>
public sealed class PythonJsonObject : List<KeyValuePair<string, object?>>
{
    public void Add(string key, object? value) => Add(new KeyValuePair<string, object?>(key, value));
}

/// <summary>
/// Writes JSON exactly as Python's <c>json.dump(obj, f, indent=4, ensure_ascii=False)</c> does, which is how
/// MER-Factory writes its result files: 4-space indent, ", " never used between items, ": " after keys,
/// "[]"/"{}" for empty containers, floats as <c>repr</c>, non-ASCII text kept as is, no trailing newline.
/// Values: null, string, bool, integral numbers, double/float, <see cref="PythonJsonObject"/>,
/// <see cref="IEnumerable{T}"/> of string/double pairs (ordered dict) or any other <see cref="IEnumerable"/> (list).
/// </summary>
public static class PythonJson
{
    public static string Serialize(object? value, int indent = 4)
    {
        var builder = new StringBuilder();
        Write(builder, value, indent, 0);
        return builder.ToString();
    }

    /// <summary>Writes <paramref name="value"/> as UTF-8 without a byte-order mark, as Python does.</summary>
    public static void WriteFile(string path, object? value, int indent = 4)
    {
        File.WriteAllText(path, Serialize(value, indent), new UTF8Encoding(encoderShouldEmitUTF8Identifier: false));
    }

    private static void Write(StringBuilder builder, object? value, int indent, int depth)
    {
        switch (value)
        {
            case null:
                builder.Append("null");
                break;
            case string text:
                WriteString(builder, text);
                break;
            case bool flag:
                builder.Append(flag ? "true" : "false");
                break;
            case double number:
                builder.Append(FloatToken(number));
                break;
            case float number:
                builder.Append(FloatToken(number));
                break;
            case int or long or short or byte or uint or ulong or ushort or sbyte:
                builder.Append(Convert.ToString(value, CultureInfo.InvariantCulture));
                break;
            case PythonJsonObject obj:
                WriteObject(builder, obj, indent, depth);
                break;
            case IEnumerable<KeyValuePair<string, double>> pairs:
                WriteObject(builder, pairs.Select(p => new KeyValuePair<string, object?>(p.Key, p.Value)).ToList(), indent, depth);
                break;
            case IEnumerable<KeyValuePair<string, string>> pairs:
                WriteObject(builder, pairs.Select(p => new KeyValuePair<string, object?>(p.Key, p.Value)).ToList(), indent, depth);
                break;
            case IEnumerable<KeyValuePair<string, object?>> pairs:
                WriteObject(builder, pairs.ToList(), indent, depth);
                break;
            case IEnumerable items:
                WriteArray(builder, items.Cast<object?>().ToList(), indent, depth);
                break;
            default:
                throw new NotSupportedException($"PythonJson cannot write a value of type {value.GetType()}.");
        }
    }

    private static string FloatToken(double number) => number switch
    {
        double.PositiveInfinity => "Infinity",
        double.NegativeInfinity => "-Infinity",
        _ when double.IsNaN(number) => "NaN",
        _ => PythonFormat.Repr(number),
    };

    private static void WriteObject(StringBuilder builder, IReadOnlyList<KeyValuePair<string, object?>> members, int indent, int depth)
    {
        if (members.Count == 0)
        {
            builder.Append("{}");
            return;
        }

        builder.Append('{');
        for (var i = 0; i < members.Count; i++)
        {
            if (i > 0) builder.Append(',');
            NewLine(builder, indent, depth + 1);
            WriteString(builder, members[i].Key);
            builder.Append(": ");
            Write(builder, members[i].Value, indent, depth + 1);
        }

        NewLine(builder, indent, depth);
        builder.Append('}');
    }

    private static void WriteArray(StringBuilder builder, IReadOnlyList<object?> items, int indent, int depth)
    {
        if (items.Count == 0)
        {
            builder.Append("[]");
            return;
        }

        builder.Append('[');
        for (var i = 0; i < items.Count; i++)
        {
            if (i > 0) builder.Append(',');
            NewLine(builder, indent, depth + 1);
            Write(builder, items[i], indent, depth + 1);
        }

        NewLine(builder, indent, depth);
        builder.Append(']');
    }

    private static void NewLine(StringBuilder builder, int indent, int depth)
    {
        builder.Append('\n');
        builder.Append(' ', indent * depth);
    }

    // json's py_encode_basestring: escapes only the quote, backslash and control characters below 0x20.
    private static void WriteString(StringBuilder builder, string text)
    {
        builder.Append('"');
        foreach (var c in text)
        {
            switch (c)
            {
                case '"': builder.Append("\\\""); break;
                case '\\': builder.Append("\\\\"); break;
                case '\n': builder.Append("\\n"); break;
                case '\r': builder.Append("\\r"); break;
                case '\t': builder.Append("\\t"); break;
                case '\b': builder.Append("\\b"); break;
                case '\f': builder.Append("\\f"); break;
                case < ' ': builder.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture)); break;
                default: builder.Append(c); break;
            }
        }

        builder.Append('"');
    }
}
