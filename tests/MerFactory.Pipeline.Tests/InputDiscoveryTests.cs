using MerFactory.Pipeline.Orchestration;

namespace MerFactory.Pipeline.Tests;

/// <summary>Paths a remote client submits, and file ids: nothing names a folder outside OUTPUT.</summary>
public sealed class InputDiscoveryTests
{
    [Theory]
    [InlineData("...mp4")]      // stem '..': the output folder would be OUTPUT/..
    [InlineData("clips/..mp4")] // stem '.'
    [InlineData(".mp4")]        // no stem: the output folder would be OUTPUT itself
    public void AFileWhoseIdWouldNotBeAFolderInsideOutputIsRejected(string relativePath)
    {
        var error = Assert.Throws<InputDiscoveryException>(() => InputDiscovery.FromRelativePaths([relativePath]));
        Assert.Contains(relativePath, error.Message);
    }

    [Theory]
    [InlineData("../outside.mp4")]
    [InlineData("/etc/clip.mp4")]
    [InlineData("a/./b.mp4")]
    [InlineData("a//b.mp4")]
    public void ASubmittedPathOutsideTheInputFolderIsRejected(string relativePath) =>
        Assert.Throws<InputDiscoveryException>(() => InputDiscovery.FromRelativePaths([relativePath]));

    [Fact]
    public void OrdinaryNamesKeepTheirStemAsId()
    {
        var files = InputDiscovery.FromRelativePaths(["talks/jfk.wav", "a.b.mp4"]);
        Assert.Equal(["a.b", "jfk"], files.Select(f => f.Id).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void ALocalFileNamedOnlyDotsNeverBecomesAnIdThatLeavesOutput()
    {
        var folder = Directory.CreateTempSubdirectory("mf-discovery-").FullName;
        try
        {
            File.WriteAllBytes(Path.Combine(folder, "...mp4"), [0]);
            File.WriteAllBytes(Path.Combine(folder, "clip.mp4"), [0]);
            // A local folder's dot-files are hidden files, not inputs; the rest keep their stems.
            Assert.Equal(["clip"], InputDiscovery.Discover(folder).Select(f => f.Id));
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }
}
