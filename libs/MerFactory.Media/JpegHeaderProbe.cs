using System.Buffers.Binary;
using MerFactory.Contracts.Media;

namespace MerFactory.Media;

/// <summary>
/// What ffprobe reports for a JPEG still (<c>.jpg</c>/<c>.jpeg</c>: ffmpeg's image2 demuxer, one mjpeg frame at its
/// default 25 fps, 0.04 s), read from the file's own header instead of starting two ffprobe processes for it (about a
/// third of a one-image run). Anything unusual — no baseline/extended/progressive frame header, an EXIF orientation
/// other than "normal", a truncated header — returns null, and ffprobe decides as before.
/// </summary>
internal static class JpegHeaderProbe
{
    private const int MaxHeaderBytes = 1 << 20; // EXIF thumbnails and ICC profiles sit before the frame header

    // ffmpeg's image2 demuxer: a still is one frame of a 25 fps "sequence".
    private const double StillFrameRate = 25;

    public static MediaProbed? TryProbe(string path)
    {
        var extension = Path.GetExtension(path);
        if (!extension.Equals(".jpg", StringComparison.OrdinalIgnoreCase) && !extension.Equals(".jpeg", StringComparison.OrdinalIgnoreCase)) return null;
        byte[] header;
        try
        {
            using var stream = File.OpenRead(path);
            header = new byte[(int)Math.Min(stream.Length, MaxHeaderBytes)];
            stream.ReadExactly(header);
        }
        catch (IOException)
        {
            return null;
        }
        catch (UnauthorizedAccessException)
        {
            return null;
        }
        if (ReadFrameSize(header) is not var (width, height)) return null;
        var stream0 = new MediaStreamInfo("video", "mjpeg", width, height, StillFrameRate, 0, 0, 0);
        return new MediaProbed(1 / StillFrameRate, StillFrameRate, true, false, width, height, 0, "image2", [stream0]);
    }

    /// <summary>Width and height from the first SOF0/1/2 segment; null when the header is not a plain JPEG one.</summary>
    internal static (int Width, int Height)? ReadFrameSize(ReadOnlySpan<byte> data)
    {
        if (data.Length < 4 || data[0] != 0xFF || data[1] != 0xD8) return null;
        var at = 2;
        while (at + 4 <= data.Length)
        {
            if (data[at] != 0xFF) return null;
            var marker = data[at + 1];
            if (marker == 0xFF) { at++; continue; } // fill byte
            if (marker is 0x01 or (>= 0xD0 and <= 0xD7)) { at += 2; continue; } // no length
            if (marker is 0xD9 or 0xDA) return null; // end of image or scan data before any frame header
            var length = BinaryPrimitives.ReadUInt16BigEndian(data[(at + 2)..]);
            if (length < 2 || at + 2 + length > data.Length) return null;
            var segment = data.Slice(at + 4, length - 2);
            if (marker is 0xE1 && !OrientationIsNormal(segment)) return null;
            if (marker is 0xC0 or 0xC1 or 0xC2)
            {
                if (segment.Length < 6) return null;
                int height = BinaryPrimitives.ReadUInt16BigEndian(segment[1..]);
                int width = BinaryPrimitives.ReadUInt16BigEndian(segment[3..]);
                return width > 0 && height > 0 ? (width, height) : null;
            }
            if (marker is >= 0xC3 and <= 0xCF and not 0xC4 and not 0xC8 and not 0xCC) return null; // lossless/arithmetic: leave to ffmpeg
            at += 2 + length;
        }
        return null;
    }

    /// <summary>
    /// False when an EXIF block says the picture is stored rotated or mirrored (tag 0x0112 ≠ 1) or cannot be read:
    /// whether ffprobe reports a rotation then depends on its version, so it is asked.
    /// </summary>
    private static bool OrientationIsNormal(ReadOnlySpan<byte> app1)
    {
        if (!app1.StartsWith("Exif\0\0"u8)) return true; // XMP and other APP1 blocks carry no orientation ffmpeg reads
        var tiff = app1[6..];
        if (tiff.Length < 8) return false;
        var little = tiff[0] == 'I' && tiff[1] == 'I';
        if (!little && !(tiff[0] == 'M' && tiff[1] == 'M')) return false;
        ushort U16(ReadOnlySpan<byte> s) => little ? BinaryPrimitives.ReadUInt16LittleEndian(s) : BinaryPrimitives.ReadUInt16BigEndian(s);
        uint U32(ReadOnlySpan<byte> s) => little ? BinaryPrimitives.ReadUInt32LittleEndian(s) : BinaryPrimitives.ReadUInt32BigEndian(s);
        var ifd = U32(tiff[4..]);
        if (ifd > (uint)tiff.Length - 2) return false;
        var entries = U16(tiff[(int)ifd..]);
        for (var k = 0; k < entries; k++)
        {
            var entry = (int)ifd + 2 + 12 * k;
            if (entry + 12 > tiff.Length) return false;
            if (U16(tiff[entry..]) != 0x0112) continue;
            return U16(tiff[(entry + 2)..]) == 3 && U16(tiff[(entry + 8)..]) == 1; // SHORT, value 1 = normal
        }
        return true;
    }
}
