using MerFactory.AuEngine.Pipeline;
using OpenCvSharp;

namespace MerFactory.AuEngine.Tests;

/// <summary>A video's frames decoded as the engine decodes them (by default ffmpeg, the pixels OpenFace saw).</summary>
internal static class EngineFrames
{
    /// <summary>Each frame in order; the Mat is reused, so copy it to keep it past the next iteration.</summary>
    public static IEnumerable<Mat> Read(string path, VideoDecoder decoder = VideoDecoder.Ffmpeg)
    {
        using var reader = VideoFrameReader.Open(path, new AuEngineOptions { VideoDecoder = decoder });
        using var frame = new Mat();
        while (reader.Grab() && reader.Retrieve(frame)) yield return frame;
    }
}
