using MerFactory.AuEngine.Models;
using System.Globalization;

namespace MerFactory.AuEngine.Alignment;

/// <summary>Reads OpenFace's text matrices: optional '#' comment lines, then rows, cols, OpenCV type, then the values.</summary>
internal static class OpenFaceTextMatrix
{
    public static IEnumerable<double[,]> ReadAll(string path)
    {
        if (!File.Exists(path)) throw new ModelNotFoundException("OpenFace model file", path);
        var tokens = new Queue<string>();
        foreach (var line in File.ReadLines(path))
        {
            var trimmed = line.Trim();
            if (trimmed.Length == 0 || trimmed.StartsWith('#')) continue;
            foreach (var token in trimmed.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries)) tokens.Enqueue(token);
        }
        while (tokens.Count > 0)
        {
            var rows = ReadInt(tokens, path);
            var cols = ReadInt(tokens, path);
            ReadInt(tokens, path); // OpenCV element type; values are parsed as doubles regardless
            if (rows <= 0 || cols <= 0 || (long)rows * cols > 10_000_000)
                throw new CorruptModelException(path, $"implausible matrix size {rows}x{cols}");
            var matrix = new double[rows, cols];
            for (var r = 0; r < rows; r++)
            for (var c = 0; c < cols; c++)
            {
                if (tokens.Count == 0) throw new CorruptModelException(path, $"truncated: expected {rows}x{cols} values");
                var token = tokens.Dequeue();
                if (!double.TryParse(token, NumberStyles.Float, CultureInfo.InvariantCulture, out var value))
                    throw new CorruptModelException(path, $"'{token}' is not a number");
                matrix[r, c] = value;
            }
            yield return matrix;
        }
    }

    private static int ReadInt(Queue<string> tokens, string path)
    {
        if (tokens.Count == 0) throw new CorruptModelException(path, "truncated matrix header");
        var token = tokens.Dequeue();
        return int.TryParse(token, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value)
            ? value
            : throw new CorruptModelException(path, $"'{token}' is not a matrix dimension");
    }
}
