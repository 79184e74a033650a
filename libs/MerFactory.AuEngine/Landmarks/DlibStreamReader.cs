using MerFactory.AuEngine.Models;

namespace MerFactory.AuEngine.Landmarks;

/// <summary>
/// Reads dlib's portable serialization primitives (dlib/serialize.h) from a stream through its own buffer:
/// integers are a control byte (low nibble = byte count, 0x80 = negative for signed types) followed by
/// little-endian magnitude bytes; floats are an int64 mantissa and an int16 exponent (value = m·2^e).
/// Every failure names the file and the byte offset, because a truncated or foreign file is the usual cause.
/// </summary>
internal sealed class DlibStreamReader : IDisposable
{
    private const long PositiveInfinityExponent = 32000;
    private const long NegativeInfinityExponent = 32001;
    private const long NaNExponent = 32002;
    private const int LongestInteger = 9; // control byte + 8 magnitude bytes

    private readonly Stream stream;
    private readonly string path;
    private readonly byte[] buffer;
    private int position;
    private int length;
    private long bufferStart;
    private bool streamExhausted;

    public DlibStreamReader(Stream stream, string path, int bufferSize = 1 << 20)
    {
        this.stream = stream;
        this.path = path;
        buffer = new byte[bufferSize];
    }

    /// <summary>Offset in the file of the next byte to be read.</summary>
    public long Offset => bufferStart + position;

    /// <summary>True when every byte of the stream has been consumed.</summary>
    public bool AtEnd
    {
        get
        {
            EnsureAvailable(1);
            return position >= length;
        }
    }

    public long ReadSignedInteger(string what)
    {
        var control = TakeControlByte(what);
        var size = control & 0x0F;
        if (size is 0 or > 8) throw Corrupt($"invalid integer size {size} while reading {what}");
        var value = unchecked((long)TakeMagnitude(size, what));
        return (control & 0x80) != 0 ? -value : value;
    }

    public ulong ReadUnsignedInteger(string what)
    {
        var size = TakeControlByte(what) & 0x8F; // dlib masks out the three reserved bits only
        if (size is 0 or > 8) throw Corrupt($"invalid unsigned integer control byte 0x{size:X2} while reading {what}");
        return TakeMagnitude(size, what);
    }

    /// <summary>An unsigned integer used as a count or index, checked against a sanity limit so garbage cannot trigger huge allocations.</summary>
    public int ReadCount(string what, int maximum)
    {
        var value = ReadUnsignedInteger(what);
        if (value > (ulong)maximum) throw Corrupt($"{what} = {value} exceeds the plausible maximum {maximum}");
        return (int)value;
    }

    public float ReadSingle(string what)
    {
        EnsureAvailable(1);
        if (position < length && (buffer[position] & 0x70) != 0)
        {
            // dlib's pre-2013 ASCII float format; the Debian model never uses it.
            throw Corrupt($"legacy text-encoded float while reading {what} (unsupported)");
        }

        var mantissa = ReadSignedInteger(what);
        var exponent = ReadSignedInteger(what);
        return exponent switch
        {
            PositiveInfinityExponent => float.PositiveInfinity,
            NegativeInfinityExponent => float.NegativeInfinity,
            NaNExponent => float.NaN,
            < short.MinValue or > short.MaxValue => throw Corrupt($"float exponent {exponent} out of range while reading {what}"),
            // dlib: std::ldexp((float)mantissa, exponent); float mantissas fit in 24 bits, so this is exact.
            _ => MathF.ScaleB(mantissa, (int)exponent),
        };
    }

    /// <summary>dlib::matrix&lt;float,0,1&gt;: rows and columns (negated in the current format), then the elements.</summary>
    public void ReadFloatColumnVector(string what, Span<float> destination)
    {
        var rows = Math.Abs(ReadSignedInteger(what + " rows"));
        var columns = Math.Abs(ReadSignedInteger(what + " columns"));
        if (rows != destination.Length || columns != 1)
            throw Corrupt($"{what} is {rows}x{columns}, expected {destination.Length}x1");
        for (var i = 0; i < destination.Length; i++) destination[i] = ReadSingle(what);
    }

    /// <summary>Length of a dlib::matrix&lt;float,0,1&gt; whose header is read next, checked against a limit.</summary>
    public int ReadColumnVectorLength(string what, int maximum)
    {
        var rows = Math.Abs(ReadSignedInteger(what + " rows"));
        var columns = Math.Abs(ReadSignedInteger(what + " columns"));
        if (columns != 1 || rows > maximum) throw Corrupt($"{what} is {rows}x{columns}, expected a column vector of at most {maximum}");
        return (int)rows;
    }

    public CorruptModelException Corrupt(string cause) =>
        new(path, $"{cause} at byte offset {Offset}; expected a dlib shape_predictor file such as shape_predictor_68_face_landmarks.dat");

    private int TakeControlByte(string what)
    {
        if (length - position < LongestInteger) EnsureAvailable(LongestInteger);
        if (position >= length) throw Corrupt($"unexpected end of file while reading {what}");
        return buffer[position++];
    }

    private ulong TakeMagnitude(int size, string what)
    {
        if (length - position < size) throw Corrupt($"unexpected end of file while reading {what}");
        ulong value = 0;
        for (var i = 0; i < size; i++) value |= (ulong)buffer[position + i] << (8 * i);
        position += size;
        return value;
    }

    /// <summary>Makes at least <paramref name="count"/> bytes readable at <see cref="position"/> unless the file ends first.</summary>
    private void EnsureAvailable(int count)
    {
        if (length - position >= count || streamExhausted) return;
        var remaining = length - position;
        Buffer.BlockCopy(buffer, position, buffer, 0, remaining);
        bufferStart += position;
        position = 0;
        length = remaining;
        while (length < count && !streamExhausted)
        {
            var read = stream.Read(buffer, length, buffer.Length - length);
            if (read == 0) streamExhausted = true;
            length += read;
        }
    }

    public void Dispose() => stream.Dispose();
}
