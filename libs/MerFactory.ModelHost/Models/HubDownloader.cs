using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;

namespace MerFactory.ModelHost.Models;

/// <summary>A download failed or did not verify; the message names the file and the cause.</summary>
public sealed class HubDownloadException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>
/// Downloads files through the Hugging Face Hub's resolve URLs as huggingface_hub does: a HEAD without redirects reads
/// the LFS object's size and SHA-256 (<c>X-Linked-Size</c>, <c>X-Linked-Etag</c>), the GET follows the redirect to the
/// storage host and resumes a partial <c>.incomplete</c> file with a Range request; the file is moved into place only
/// when its size and SHA-256 match. An <c>HF_TOKEN</c> is sent to the Hub only (redirects drop Authorization).
/// </summary>
public sealed class HubDownloader(Uri hub, string? token = null) : IDisposable
{
    public static readonly Uri DefaultHub = new("https://huggingface.co/");

    private readonly HttpClient http = new(new SocketsHttpHandler { AllowAutoRedirect = true }) { Timeout = Timeout.InfiniteTimeSpan };
    // The Hub puts the LFS size and hash on the redirect itself, so the probe must not follow it.
    private readonly HttpClient probe = new(new SocketsHttpHandler { AllowAutoRedirect = false }) { Timeout = TimeSpan.FromMinutes(1) };

    /// <summary>Downloads <paramref name="file"/> to <paramref name="target"/> (skipped when it is already there and verifies).</summary>
    public async Task<string> DownloadAsync(HubFile file, string target, IProgress<(long Done, long Total)>? progress, CancellationToken cancellationToken)
    {
        var url = new Uri(hub, $"{file.Repo}/resolve/{Uri.EscapeDataString(file.Revision)}/{string.Join('/', file.File.Split('/').Select(Uri.EscapeDataString))}");
        var (size, sha256) = await ProbeAsync(url, cancellationToken).ConfigureAwait(false);
        if (File.Exists(target) && new FileInfo(target).Length == size && (sha256 is null || await HashAsync(target, cancellationToken).ConfigureAwait(false) == sha256))
        {
            progress?.Report((size, size));
            return target;
        }

        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(target))!);
        var partial = target + ".incomplete";
        var have = File.Exists(partial) ? new FileInfo(partial).Length : 0;
        if (have > size) have = 0;
        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        Authorize(request);
        if (have > 0) request.Headers.Range = new RangeHeaderValue(have, null);
        try
        {
            using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
            if (response.StatusCode == HttpStatusCode.RequestedRangeNotSatisfiable) have = 0;
            else if (!response.IsSuccessStatusCode) throw new HubDownloadException($"{url}: HTTP {(int)response.StatusCode} {response.ReasonPhrase}{Hint(response.StatusCode)}");
            // 206 continues the partial file; a 200 (server ignored the range) starts it over.
            var resume = response.StatusCode == HttpStatusCode.PartialContent && response.Content.Headers.ContentRange?.From == have;
            await using (var output = new FileStream(partial, resume ? FileMode.Append : FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16, useAsync: true))
            await using (var body = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false))
            {
                var done = resume ? have : 0;
                var buffer = new byte[1 << 16];
                int read;
                while ((read = await body.ReadAsync(buffer, cancellationToken).ConfigureAwait(false)) > 0)
                {
                    await output.WriteAsync(buffer.AsMemory(0, read), cancellationToken).ConfigureAwait(false);
                    done += read;
                    progress?.Report((done, size));
                }
            }
        }
        catch (HttpRequestException ex)
        {
            throw new HubDownloadException($"{url}: {ex.Message} (run the command again to resume)", ex);
        }

        var length = new FileInfo(partial).Length;
        if (length != size)
            throw new HubDownloadException($"{file.File}: got {length} bytes, the Hub says {size} (run the command again to resume)");
        if (sha256 is not null)
        {
            var actual = await HashAsync(partial, cancellationToken).ConfigureAwait(false);
            if (actual != sha256)
            {
                File.Delete(partial);
                throw new HubDownloadException($"{file.File}: SHA-256 {actual} does not match the Hub's {sha256}; the partial file was removed");
            }
        }
        File.Move(partial, target, overwrite: true);
        return target;
    }

    /// <summary>Size and SHA-256 from the resolve URL's headers (LFS files carry X-Linked-*; small git files only an ETag).</summary>
    private async Task<(long Size, string? Sha256)> ProbeAsync(Uri url, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Head, url);
        Authorize(request);
        using var response = await probe.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
        if ((int)response.StatusCode >= 400) throw new HubDownloadException($"{url}: HTTP {(int)response.StatusCode} {response.ReasonPhrase}{Hint(response.StatusCode)}");
        var size = Header(response, "X-Linked-Size") is { } linked && long.TryParse(linked, out var s) ? s
            : response.Content.Headers.ContentLength ?? throw new HubDownloadException($"{url}: the Hub gave no size (X-Linked-Size/Content-Length)");
        var etag = (Header(response, "X-Linked-Etag") ?? response.Headers.ETag?.Tag)?.Trim().TrimStart('W', '/').Trim('"').ToLowerInvariant();
        // An LFS object's etag is its SHA-256; a git blob's is a SHA-1 and cannot be checked here.
        var sha = etag is { Length: 64 } && etag.All(Uri.IsHexDigit) ? etag : null;
        return (size, sha);
    }

    public void Dispose()
    {
        http.Dispose();
        probe.Dispose();
    }

    private void Authorize(HttpRequestMessage request)
    {
        if (!string.IsNullOrEmpty(token)) request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
    }

    private static string? Header(HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out var values) ? values.FirstOrDefault() : null;

    private static string Hint(HttpStatusCode status) => status is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden
        ? " (a gated repository: accept its licence on the Hub and set HF_TOKEN)" : status == HttpStatusCode.NotFound ? " (no such repository or file)" : "";

    private static async Task<string> HashAsync(string path, CancellationToken cancellationToken)
    {
        await using var stream = File.OpenRead(path);
        return Convert.ToHexStringLower(await SHA256.HashDataAsync(stream, cancellationToken).ConfigureAwait(false));
    }
}
