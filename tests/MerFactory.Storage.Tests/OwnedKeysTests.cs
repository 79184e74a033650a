using MerFactory.Storage;

namespace MerFactory.Storage.Tests;

public sealed class OwnedKeysTests
{
    [Theory]
    [InlineData("uploads/alice/0a/clip.mp4", "alice", true)]
    [InlineData("jobs/alice/1/output/x.json", "alice", true)]
    [InlineData("uploads/alice-2/0a/clip.mp4", "alice", false)] // a longer name that starts with the owner's
    [InlineData("uploads/bob/0a/clip.mp4", "alice", false)]
    [InlineData("jobs/", "alice", false)]
    [InlineData("artifacts/extract-audio/k/a.wav", "alice", false)]
    public void AKeyBelongsToTheCredentialWhoseFolderItIsIn(string key, string owner, bool owned) =>
        Assert.Equal(owned, OwnedKeys.IsOwnedBy(key, owner, OwnedKeys.Uploads, OwnedKeys.Jobs));

    [Theory]
    [InlineData("..")]
    [InlineData("a/b")]
    [InlineData("Alice")]
    [InlineData("")]
    [InlineData("-x")]
    public void ACredentialNameThatIsNotOneSafeSegmentOwnsNothing(string owner) =>
        Assert.Throws<ArgumentException>(() => OwnedKeys.Prefix(OwnedKeys.Jobs, owner));
}
