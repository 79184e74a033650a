using System.Buffers.Binary;

namespace MerFactory.Speech.Audio;

/// <summary>
/// Reads a WAV file that is already in the decoder's target format (PCM, 16-bit, mono, 16 kHz, as the media step
/// writes its audio tracks) without starting ffmpeg. Anything else, or anything odd, is left to ffmpeg.
/// The samples match ffmpeg's own s16 → float conversion (x / 32768).
/// </summary>
internal static class PcmWaveReader
{
    private const int PcmFormat = 1;

    public static bool TryRead(string path, out float[] samples)
    {
        samples = [];
        byte[] bytes;
        try
        {
            using var stream = File.OpenRead(path);
            if (stream.Length is < 44 or > int.MaxValue) return false;
            Span<byte> head = stackalloc byte[12];
            stream.ReadExactly(head);
            if (!head[..4].SequenceEqual("RIFF"u8) || !head[8..12].SequenceEqual("WAVE"u8)) return false;
            bytes = new byte[stream.Length];
            head.CopyTo(bytes);
            stream.ReadExactly(bytes.AsSpan(12));
        }
        catch (IOException)
        {
            return false; // ffmpeg reports the cause
        }
        return TryParse(bytes, out samples);
    }

    internal static bool TryParse(ReadOnlySpan<byte> file, out float[] samples)
    {
        samples = [];
        var formatSeen = false;
        var position = 12;
        while (position + 8 <= file.Length)
        {
            var id = file.Slice(position, 4);
            var size = BinaryPrimitives.ReadUInt32LittleEndian(file.Slice(position + 4, 4));
            var body = position + 8;
            if (id.SequenceEqual("fmt "u8))
            {
                if (size < 16 || body + 16 > file.Length) return false;
                var format = file.Slice(body, 16);
                formatSeen = BinaryPrimitives.ReadUInt16LittleEndian(format) == PcmFormat
                    && BinaryPrimitives.ReadUInt16LittleEndian(format[2..]) == 1
                    && BinaryPrimitives.ReadUInt32LittleEndian(format[4..]) == DecodedAudio.SampleRate
                    && BinaryPrimitives.ReadUInt16LittleEndian(format[14..]) == 16;
                if (!formatSeen) return false;
            }
            else if (id.SequenceEqual("data"u8))
            {
                if (!formatSeen) return false;
                // A streamed WAV may declare more (or 0xFFFFFFFF) than it holds: take what is there.
                var length = (int)Math.Min(size, (uint)(file.Length - body)) & ~1;
                if (length == 0) return false;
                var pcm = file.Slice(body, length);
                samples = new float[length / 2];
                for (var i = 0; i < samples.Length; i++) samples[i] = BinaryPrimitives.ReadInt16LittleEndian(pcm[(2 * i)..]) / 32768f;
                return true;
            }
            position = body + (int)Math.Min(size + (size & 1), (uint)(file.Length - body)); // chunks are word-aligned
        }
        return false;
    }
}
