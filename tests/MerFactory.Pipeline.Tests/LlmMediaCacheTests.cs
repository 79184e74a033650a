using MerFactory.Contracts;
using MerFactory.Llm;
using MerFactory.Steps.Llm;

namespace MerFactory.Pipeline.Tests;

public sealed class LlmMediaCacheTests
{
    [Fact]
    public async Task MediaIsFoundByContentAndTheOldestGoWhenTheBudgetIsFull()
    {
        var cache = new LlmMediaCache(maxBytes: 4_000);
        var a = await Attachment(1, 1_000);
        var b = await Attachment(2, 1_000);
        var c = await Attachment(3, 1_000);
        var d = await Attachment(4, 1_000);
        var e = await Attachment(5, 1_000);
        foreach (var (attachment, i) in new[] { (a, 1), (b, 2), (c, 3), (d, 4) }) cache.Add(Reference(i), "frame.png", "image/png", attachment);
        Assert.Same(a, cache.TryGet(Reference(1), "frame.png", "image/png"));
        Assert.Null(cache.TryGet(Reference(1), "other.png", "image/png")); // another name is another attachment

        cache.Add(Reference(5), "frame.png", "image/png", e); // over budget: the oldest (a) goes
        Assert.Null(cache.TryGet(Reference(1), "frame.png", "image/png"));
        Assert.Same(e, cache.TryGet(Reference(5), "frame.png", "image/png"));
        Assert.Same(d, cache.TryGet(Reference(4), "frame.png", "image/png"));
    }

    [Fact]
    public async Task ReferencesWithoutAHashAndOversizedMediaAreNotKept()
    {
        var cache = new LlmMediaCache(maxBytes: 4_000);
        cache.Add(Reference(1) with { Sha256 = "" }, "frame.png", "image/png", await Attachment(1, 100));
        Assert.Null(cache.TryGet(Reference(1) with { Sha256 = "" }, "frame.png", "image/png"));
        cache.Add(Reference(2), "video.mp4", "video/mp4", await Attachment(2, 2_000)); // over a quarter of the budget
        Assert.Null(cache.TryGet(Reference(2), "video.mp4", "video/mp4"));
    }

    private static ObjectReference Reference(int i) => new("b", $"artifacts/sample-frames/k/frame_{i}.png", 1_000, new string((char)('a' + i), 64), "image/png");

    private static Task<MediaAttachment> Attachment(int seed, int size)
    {
        var bytes = new byte[size];
        new Random(seed).NextBytes(bytes);
        return MediaAttachment.FromStreamAsync(new MemoryStream(bytes), "frame.png", "image/png");
    }
}
