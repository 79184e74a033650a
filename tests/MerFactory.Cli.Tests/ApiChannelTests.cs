using MerFactory.Protos.Clients;

namespace MerFactory.Cli.Tests;

/// <summary>The token a remote run sends travels in plain text only to this machine; elsewhere TLS is required.</summary>
public sealed class ApiChannelTests
{
    [Theory]
    [InlineData("http://10.1.2.3:5000")]
    [InlineData("http://jobs.example.org")]
    public void APlainTextChannelToAnotherMachineIsRefused(string address)
    {
        var error = Assert.Throws<ArgumentException>(() => ApiChannel.Create(address, "token"));
        Assert.Contains("https", error.Message);
    }

    [Theory]
    [InlineData("http://127.0.0.1:5000")]
    [InlineData("http://localhost:5000")]
    [InlineData("http://[::1]:5000")]
    [InlineData("https://jobs.example.org")]
    public void LoopbackOrTlsIsAccepted(string address)
    {
        using var channel = ApiChannel.Create(address, "token");
        Assert.Contains(new Uri(address).Host.Trim('[', ']'), channel.Target);
    }

    [Fact]
    public void AChannelWithoutATokenIsRefused() =>
        Assert.Throws<ArgumentException>(() => ApiChannel.Create("http://127.0.0.1:5000", ""));
}
