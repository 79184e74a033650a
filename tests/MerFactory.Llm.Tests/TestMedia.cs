using MerFactory.Testing;

namespace MerFactory.Llm.Tests;

/// <summary>Real media from shared/data plus tiny fixtures built here.</summary>
public static class TestMedia
{
    public static string JpegPath => SharedData.DataPath("media", "pyfeat", "single_face.jpg");
    public static string WavPath => SharedData.DataPath("speech", "jfk.wav");
    public static string Mp4Path => SharedData.DataPath("media", "pyfeat", "single_face.mp4");
    public const string JfkTranscript = "And so my fellow Americans, ask not what your country can do for you, ask what you can do for your country.";

    public static Task<MediaAttachment> Jpeg() => MediaAttachment.FromFileAsync(JpegPath);
    public static Task<MediaAttachment> Wav() => MediaAttachment.FromFileAsync(WavPath);
    public static Task<MediaAttachment> Mp4() => MediaAttachment.FromFileAsync(Mp4Path);

    /// <summary>A 1×1 PNG.</summary>
    public static MediaAttachment Png(byte variant = 0)
    {
        var bytes = Convert.FromBase64String("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==");
        bytes[^1] ^= variant; // flips a bit of the IEND CRC: still a PNG to sniffers, different hash
        return MediaAttachment.FromBytes(bytes, $"frame{variant}.png", "image/png");
    }

    /// <summary>Three MPEG-1 Layer III frame headers with silent payload.</summary>
    public static MediaAttachment Mp3()
    {
        var frame = new byte[417];
        frame[0] = 0xFF; frame[1] = 0xFB; frame[2] = 0x90; frame[3] = 0x64;
        return MediaAttachment.FromBytes((byte[])[.. frame, .. frame, .. frame], "speech.mp3", "audio/mpeg");
    }

    public static MediaAttachment Flac() => MediaAttachment.FromBytes((byte[])[.. "fLaC"u8, 0, 0, 0, 34, .. new byte[34]], "speech.flac", "audio/flac");

    public static MediaEvidence Evidence(int frames = 3) =>
        new(Enumerable.Range(1, frames).Select(i => Png((byte)i)).ToList(), JfkTranscript, "steady mid pitch, slow deliberate pace, rising emphasis on 'ask not'");
}
