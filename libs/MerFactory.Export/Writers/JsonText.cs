using System.Buffers;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace MerFactory.Export.Writers;

/// <summary>JSON settings shared by every writer: non-ASCII kept readable (Python's ensure_ascii=False), 4-space indent.</summary>
internal static class JsonText
{
    public static readonly JsonSerializerOptions Options = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static JsonWriterOptions WriterOptions(bool indented) => new()
    {
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        Indented = indented,
        IndentSize = 4,
        NewLine = "\n",
        SkipValidation = false,
    };

    public static string Serialize(Action<Utf8JsonWriter> write, bool indented)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var writer = new Utf8JsonWriter(buffer, WriterOptions(indented))) write(writer);
        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    public static void WriteStringArray(Utf8JsonWriter writer, string name, IEnumerable<string> values)
    {
        writer.WriteStartArray(name);
        foreach (var value in values) writer.WriteStringValue(value);
        writer.WriteEndArray();
    }
}
