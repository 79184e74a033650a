using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Text;

namespace MerFactory.AuEngine.Models;

/// <summary>Writes the payload of a compiled model: little-endian scalars, length-prefixed arrays and strings.</summary>
public sealed class ModelPackWriter
{
    private readonly MemoryStream _stream = new();

    internal ReadOnlySpan<byte> Written => _stream.GetBuffer().AsSpan(0, (int)_stream.Length);

    public void Write(int value)
    {
        Span<byte> bytes = stackalloc byte[4];
        BinaryPrimitives.WriteInt32LittleEndian(bytes, value);
        _stream.Write(bytes);
    }

    public void Write(long value)
    {
        Span<byte> bytes = stackalloc byte[8];
        BinaryPrimitives.WriteInt64LittleEndian(bytes, value);
        _stream.Write(bytes);
    }

    public void Write(double value) => Write(BitConverter.DoubleToInt64Bits(value));

    public void Write(bool value) => Write(value ? 1 : 0);

    public void Write(string value)
    {
        var bytes = Encoding.UTF8.GetBytes(value);
        Write(bytes.Length);
        _stream.Write(bytes);
    }

    public void Write(ReadOnlySpan<float> values) => WriteBlock(MemoryMarshal.AsBytes(values), values.Length);

    public void Write(ReadOnlySpan<double> values) => WriteBlock(MemoryMarshal.AsBytes(values), values.Length);

    public void Write(ReadOnlySpan<int> values) => WriteBlock(MemoryMarshal.AsBytes(values), values.Length);

    /// <summary>Any array of plain structs, as their raw bytes (a count first).</summary>
    public void WriteStructs<T>(ReadOnlySpan<T> values) where T : unmanaged => WriteBlock(MemoryMarshal.AsBytes(values), values.Length);

    public void Write(ReadOnlySpan<bool> values)
    {
        Write(values.Length);
        foreach (var v in values) _stream.WriteByte(v ? (byte)1 : (byte)0);
    }

    private void WriteBlock(ReadOnlySpan<byte> bytes, int count)
    {
        if (!BitConverter.IsLittleEndian) throw new PlatformNotSupportedException("compiled models are little-endian");
        Write(count);
        _stream.Write(bytes);
    }
}

/// <summary>
/// Reads a compiled model's payload straight from the mapped file: every read is bounds-checked, so a damaged payload
/// that slipped past the checksum still fails as <see cref="CorruptModelException"/>, never as an access violation.
/// </summary>
public sealed unsafe class ModelPackReader
{
    private readonly byte* _data;
    private readonly long _length;
    private readonly string _path;
    private readonly MappedModelRegion _region;
    private long _offset;

    internal ModelPackReader(byte* data, long length, string path, MappedModelRegion region)
    {
        _data = data;
        _length = length;
        _path = path;
        _region = region;
    }

    public bool AtEnd => _offset == _length;

    public int ReadInt32() => BinaryPrimitives.ReadInt32LittleEndian(Take(4));

    public long ReadInt64() => BinaryPrimitives.ReadInt64LittleEndian(Take(8));

    public double ReadDouble() => BitConverter.Int64BitsToDouble(ReadInt64());

    public bool ReadBoolean() => ReadInt32() != 0;

    public string ReadString() => Encoding.UTF8.GetString(Take(Count(1)));

    public float[] ReadSingles() => MemoryMarshal.Cast<byte, float>(Take(Count(4) * 4)).ToArray();

    /// <summary>A large float table, left in the mapped file (no copy into fresh memory); it keeps the mapping while in use.</summary>
    public ReadOnlyMemory<float> ReadSinglesInPlace()
    {
        var count = Count(4);
        var at = _data + _offset;
        Take(count * 4);
        return _region.Singles(at, count);
    }

    public double[] ReadDoubles() => MemoryMarshal.Cast<byte, double>(Take(Count(8) * 8)).ToArray();

    public int[] ReadInt32s() => MemoryMarshal.Cast<byte, int>(Take(Count(4) * 4)).ToArray();

    public T[] ReadStructs<T>() where T : unmanaged
    {
        var size = System.Runtime.CompilerServices.Unsafe.SizeOf<T>();
        return MemoryMarshal.Cast<byte, T>(Take(Count(size) * size)).ToArray();
    }

    public bool[] ReadBooleans()
    {
        var bytes = Take(Count(1));
        var values = new bool[bytes.Length];
        for (var i = 0; i < bytes.Length; i++) values[i] = bytes[i] != 0;
        return values;
    }

    /// <summary>A count, checked against what is left so a corrupt length cannot ask for gigabytes.</summary>
    public int ReadCount(int max)
    {
        var count = ReadInt32();
        if (count < 0 || count > max) throw Corrupt($"implausible count {count}");
        return count;
    }

    public CorruptModelException Corrupt(string cause) => new(_path, $"{cause} (at payload byte {_offset})");

    private int Count(int elementSize)
    {
        var count = ReadInt32();
        if (count < 0 || (long)count * elementSize > _length - _offset) throw Corrupt($"implausible array length {count}");
        return count;
    }

    private ReadOnlySpan<byte> Take(int count)
    {
        if (count < 0 || _offset + count > _length) throw Corrupt("truncated");
        var span = new ReadOnlySpan<byte>(_data + _offset, count);
        _offset += count;
        return span;
    }
}
