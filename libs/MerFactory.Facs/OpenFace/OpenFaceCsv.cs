namespace MerFactory.Facs.OpenFace;

/// <summary>Reads and writes whole OpenFace CSV files. For streaming use <see cref="OpenFaceCsvReader"/> / <see cref="OpenFaceCsvWriter"/>.</summary>
public static class OpenFaceCsv
{
    /// <summary>
    /// Reads an OpenFace CSV. Throws <see cref="FileNotFoundException"/> for a missing file and
    /// <see cref="OpenFaceCsvException"/> (naming the file) for an empty CSV, one without "_r" columns, or a bad value.
    /// </summary>
    public static OpenFaceTable Read(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"OpenFace CSV not found: {path}", path);
        using var reader = new OpenFaceCsvReader(new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16), path);
        return ReadAll(reader, path);
    }

    /// <summary>Reads OpenFace CSV text; <paramref name="source"/> names it in error messages.</summary>
    public static OpenFaceTable Read(TextReader text, string source)
    {
        using var reader = new OpenFaceCsvReader(text, source);
        return ReadAll(reader, source);
    }

    private static OpenFaceTable ReadAll(OpenFaceCsvReader reader, string source)
    {
        var frames = reader.ReadFrames().ToList();
        // MER-Factory: a header without rows is as empty as a file without bytes.
        if (frames.Count == 0) throw new OpenFaceCsvException(source, OpenFaceCsvException.EmptyCsv);
        return new OpenFaceTable(source, reader.Layout, frames);
    }

    /// <summary>Writes <paramref name="table"/> in OpenFace's own format (see <see cref="OpenFaceCsvWriter"/>).</summary>
    public static void Write(string path, OpenFaceTable table)
    {
        using var writer = OpenFaceCsvWriter.Open(path, table.Layout);
        writer.WriteRows(table.Frames);
    }

    /// <summary>Writes <paramref name="table"/> to <paramref name="text"/>, leaving it open.</summary>
    public static void Write(TextWriter text, OpenFaceTable table)
    {
        using var writer = new OpenFaceCsvWriter(text, table.Layout, leaveOpen: true);
        writer.WriteRows(table.Frames);
    }
}
