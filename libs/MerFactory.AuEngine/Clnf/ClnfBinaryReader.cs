using System.Buffers.Binary;
using MerFactory.AuEngine.Models;

namespace MerFactory.AuEngine.Clnf;

/// <summary>A dense matrix read from an OpenFace binary model (row-major, converted to double).</summary>
internal sealed record BinMatrix(int Rows, int Cols, double[] Values)
{
    public double this[int row, int col] => Values[row * Cols + col];
}

/// <summary>
/// Little-endian reader for OpenFace's binary model streams (the CCNF patch experts and the validator, despite their
/// ".txt" names): raw int32/float64 scalars and "ReadMatBin" matrices (int32 rows, cols, OpenCV type, then the data).
/// Every read is bounds-checked so a truncated or corrupt file fails with <see cref="CorruptModelException"/>.
/// </summary>
internal sealed class ClnfBinaryReader(byte[] data, string path)
{
    private int _offset;

    public string Path => path;

    public bool AtEnd => _offset == data.Length;

    public static ClnfBinaryReader Open(string path)
    {
        if (!File.Exists(path)) throw new ModelNotFoundException("OpenFace CLNF model file", path, ClnfModel.InstallName);
        return new ClnfBinaryReader(File.ReadAllBytes(path), path);
    }

    public int ReadInt32()
    {
        var span = Take(4);
        return BinaryPrimitives.ReadInt32LittleEndian(span);
    }

    public double ReadDouble()
    {
        var span = Take(8);
        return BinaryPrimitives.ReadDoubleLittleEndian(span);
    }

    public float ReadSingle()
    {
        var span = Take(4);
        return BinaryPrimitives.ReadSingleLittleEndian(span);
    }

    /// <summary>Reads one matrix; OpenCV types 0 (u8), 4 (i32), 5 (f32) and 6 (f64) are supported.</summary>
    public BinMatrix ReadMatrix()
    {
        var rows = ReadInt32();
        var cols = ReadInt32();
        var type = ReadInt32();
        if (rows < 0 || cols < 0 || (long)rows * cols > 50_000_000) throw Corrupt($"implausible matrix size {rows}x{cols}");
        var count = rows * cols;
        var values = new double[count];
        switch (type)
        {
            case 0:
                var bytes = Take(count);
                for (var i = 0; i < count; i++) values[i] = bytes[i];
                break;
            case 4:
                var ints = Take(4 * count);
                for (var i = 0; i < count; i++) values[i] = BinaryPrimitives.ReadInt32LittleEndian(ints[(4 * i)..]);
                break;
            case 5:
                var floats = Take(4 * count);
                for (var i = 0; i < count; i++) values[i] = BinaryPrimitives.ReadSingleLittleEndian(floats[(4 * i)..]);
                break;
            case 6:
                var doubles = Take(8 * count);
                for (var i = 0; i < count; i++) values[i] = BinaryPrimitives.ReadDoubleLittleEndian(doubles[(8 * i)..]);
                break;
            default:
                throw Corrupt($"unsupported matrix element type {type}");
        }
        return new BinMatrix(rows, cols, values);
    }

    public CorruptModelException Corrupt(string cause) => new(path, $"{cause} (at byte {_offset})");

    private ReadOnlySpan<byte> Take(int count)
    {
        if (count < 0 || _offset + count > data.Length) throw Corrupt("truncated");
        var span = data.AsSpan(_offset, count);
        _offset += count;
        return span;
    }
}
