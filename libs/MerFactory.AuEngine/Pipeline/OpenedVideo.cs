namespace MerFactory.AuEngine.Pipeline;

/// <summary>
/// A video opened ahead of its analysis (<see cref="ActionUnitEngine.OpenVideo"/>): its decoder is running and waits
/// for the first frame to be read. One analysis reads it; disposing it stops the decoder.
/// </summary>
public sealed class OpenedVideo : IDisposable
{
    private readonly VideoFrameReader _reader;
    private int _taken;

    internal OpenedVideo(string path, VideoFrameReader reader) => (Path, _reader) = (path, reader);

    public string Path { get; }

    /// <summary>The decoder, for the one analysis that reads the frames.</summary>
    internal VideoFrameReader TakeReader() => Interlocked.Exchange(ref _taken, 1) == 0
        ? _reader
        : throw new InvalidOperationException($"{Path}: an opened video is analysed once; open it again for another analysis");

    public void Dispose() => _reader.Dispose();
}
