using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using MerFactory.Speech.Engines;
using Microsoft.Extensions.Options;

namespace MerFactory.Speech.Tests;

/// <summary>`models install` against a loopback HTTP server serving a generated model.</summary>
public sealed class WhisperModelInstallerTests : IDisposable
{
    private readonly TestAudio _files = new();
    private readonly HttpListener _listener = new();
    private readonly string _prefix;
    private readonly byte[] _model;
    private readonly Task _server;

    public WhisperModelInstallerTests()
    {
        var modelPath = _files.PathOf("source.bin");
        TinyWhisperModel.Write(modelPath);
        _model = File.ReadAllBytes(modelPath);
        _prefix = $"http://127.0.0.1:{FreePort()}/";
        _listener.Prefixes.Add(_prefix);
        _listener.Start();
        _server = Task.Run(ServeAsync);
    }

    private async Task ServeAsync()
    {
        while (_listener.IsListening)
        {
            HttpListenerContext context;
            try { context = await _listener.GetContextAsync(); }
            catch (Exception ex) when (ex is HttpListenerException or ObjectDisposedException or InvalidOperationException) { return; } // stopped, possibly between IsListening and GetContextAsync
            var path = context.Request.Url!.AbsolutePath;
            var body = path switch
            {
                "/ggml-tiny.bin" => _model,
                "/ggml-truncated.bin" => _model[..(_model.Length / 2)],
                _ => null,
            };
            context.Response.StatusCode = body is null ? 404 : 200;
            if (body is not null) await context.Response.OutputStream.WriteAsync(body);
            context.Response.Close();
        }
    }

    private WhisperModelInstaller Installer(string directory) =>
        new(new HttpClient(), Options.Create(new WhisperOptions { ModelDirectory = directory }));

    private WhisperModelDescriptor Descriptor(string file, byte[] content) =>
        new("whisper-test", new Uri(_prefix + file), Convert.ToHexStringLower(SHA1.HashData(content)), content.Length);

    [Fact]
    public async Task InstallsVerifiesAndMakesWhisperTheDefault()
    {
        var directory = _files.PathOf("models");
        var path = await Installer(directory).InstallAsync(Descriptor("ggml-tiny.bin", _model));

        Assert.Equal(Path.Combine(directory, "ggml-tiny.bin"), path);
        Assert.Equal(_model, await File.ReadAllBytesAsync(path));
        using var engines = new TranscriptionEngineSelector(Options.Create(new WhisperOptions { ModelDirectory = directory }), Options.Create(new PocketSphinxOptions()));
        Assert.Equal("whisper", engines.Select(EngineChoice.Auto, null).Name);

        // A second install finds the verified file and keeps it.
        var before = File.GetLastWriteTimeUtc(path);
        Assert.Equal(path, await Installer(directory).InstallAsync(Descriptor("ggml-tiny.bin", _model)));
        Assert.Equal(before, File.GetLastWriteTimeUtc(path));
    }

    [Fact]
    public async Task ChecksumMismatchLeavesNothingInstalled()
    {
        var directory = _files.PathOf("models");
        var wrong = Descriptor("ggml-tiny.bin", _model) with { Sha1 = new string('0', 40) };

        var error = await Assert.ThrowsAsync<SpeechModelException>(() => Installer(directory).InstallAsync(wrong));

        Assert.Contains("corrupt", error.Message, StringComparison.Ordinal);
        Assert.Empty(Directory.GetFiles(directory));
    }

    [Fact]
    public async Task TruncatedDownloadWithMatchingChecksumFailsStructureValidation()
    {
        var directory = _files.PathOf("models");
        var half = _model[..(_model.Length / 2)];
        var error = await Assert.ThrowsAsync<SpeechModelException>(() => Installer(directory).InstallAsync(Descriptor("ggml-truncated.bin", half)));
        Assert.Contains("truncated", error.Message, StringComparison.Ordinal);
        Assert.Empty(Directory.GetFiles(directory));
    }

    [Fact]
    public async Task HttpErrorsAndUnknownNamesAreClear()
    {
        var directory = _files.PathOf("models");
        var notFound = await Assert.ThrowsAsync<SpeechModelException>(() => Installer(directory).InstallAsync(Descriptor("ggml-missing.bin", _model)));
        Assert.Contains("HTTP 404", notFound.Message, StringComparison.Ordinal);

        var unknown = await Assert.ThrowsAsync<SpeechModelException>(() => Installer(directory).InstallAsync("whisper-gigantic"));
        Assert.Contains("whisper-base", unknown.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("whisper-base", "ggml-base.bin")]
    [InlineData("base.en", "ggml-base.en.bin")]
    [InlineData("ggml-tiny.bin", "ggml-tiny.bin")]
    public void CatalogResolvesUsualSpellings(string name, string file) =>
        Assert.Equal(file, WhisperModelCatalog.Find(name)!.FileName);

    private static int FreePort()
    {
        using var socket = new TcpListener(IPAddress.Loopback, 0);
        socket.Start();
        return ((IPEndPoint)socket.LocalEndpoint).Port;
    }

    public void Dispose()
    {
        _listener.Stop();
        _listener.Close();
        _server.Wait(TimeSpan.FromSeconds(5));
        _files.Dispose();
    }
}
