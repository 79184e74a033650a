using System.Collections.Concurrent;
using System.Security.Cryptography;
using MerFactory.Llm.Tests.Fakes;
using Microsoft.AspNetCore.Http;

namespace MerFactory.ModelHost.Tests.Support;

/// <summary>
/// A loopback server answering as the Hugging Face Hub does for LFS files: <c>HEAD|GET /{repo}/resolve/{rev}/{file}</c>
/// → 302 to a storage URL with <c>X-Linked-Etag</c> (the SHA-256), <c>X-Linked-Size</c> and <c>X-Repo-Commit</c>;
/// the storage URL serves the bytes with an ETag and honours <c>Range: bytes=N-</c> with 206 + Content-Range.
/// 404 with <c>X-Error-Code: EntryNotFound</c> for unknown files; 401 for gated repositories without a token.
/// </summary>
public sealed class FakeHub : LoopbackServer
{
    private readonly ConcurrentDictionary<string, byte[]> _files = new(StringComparer.Ordinal);
    private long _bytesServed;
    public long BytesServed => Interlocked.Read(ref _bytesServed);
    public ConcurrentQueue<string> RangesSeen { get; } = new();
    public ConcurrentQueue<string> StorageAuthorizations { get; } = new();
    /// <summary>Serve other bytes of the right length (a corrupted transfer).</summary>
    public bool Corrupt { get; set; }
    /// <summary>Repositories that need a Bearer token.</summary>
    public string? GatedToken { get; set; }

    public void Add(string repo, string file, byte[] content) => _files[$"{repo}/resolve/main/{file}"] = content;

    protected override async Task HandleAsync(HttpContext context)
    {
        var path = Uri.UnescapeDataString(context.Request.Path.Value!.TrimStart('/'));
        if (path.StartsWith("storage/", StringComparison.Ordinal))
        {
            await ServeStorageAsync(context, path["storage/".Length..]);
            return;
        }
        if (!_files.TryGetValue(path, out var content))
        {
            context.Response.StatusCode = 404;
            context.Response.Headers["X-Error-Code"] = "EntryNotFound";
            return;
        }
        if (GatedToken is not null && context.Request.Headers.Authorization != "Bearer " + GatedToken)
        {
            context.Response.StatusCode = 401;
            context.Response.Headers["X-Error-Code"] = "GatedRepo";
            return;
        }
        var sha = Convert.ToHexStringLower(SHA256.HashData(content));
        context.Response.StatusCode = 302;
        context.Response.Headers.Location = new Uri(BaseUrl, $"storage/{Uri.EscapeDataString(path)}?X-Amz-Signature=abc").AbsoluteUri;
        context.Response.Headers["X-Linked-Etag"] = $"\"{sha}\"";
        context.Response.Headers["X-Linked-Size"] = content.Length.ToString(System.Globalization.CultureInfo.InvariantCulture);
        context.Response.Headers.ETag = "\"0123456789abcdef0123456789abcdef01234567\""; // the git pointer's etag
        context.Response.Headers["X-Repo-Commit"] = "5d0f4b3c2a1e";
    }

    private async Task ServeStorageAsync(HttpContext context, string path)
    {
        StorageAuthorizations.Enqueue(context.Request.Headers.Authorization.ToString());
        if (!_files.TryGetValue(path, out var content))
        {
            context.Response.StatusCode = 404;
            return;
        }
        var data = Corrupt ? content.Select(b => (byte)(b ^ 0x5a)).ToArray() : content;
        long from = 0;
        var range = context.Request.Headers.Range.ToString();
        if (range.Length > 0)
        {
            RangesSeen.Enqueue(range);
            from = long.Parse(range["bytes=".Length..].TrimEnd('-'), System.Globalization.CultureInfo.InvariantCulture);
            if (from >= data.Length)
            {
                context.Response.StatusCode = 416;
                return;
            }
            context.Response.StatusCode = 206;
            context.Response.Headers.ContentRange = $"bytes {from}-{data.Length - 1}/{data.Length}";
        }
        context.Response.Headers.ETag = $"\"{Convert.ToHexStringLower(MD5.HashData(content))}\"";
        context.Response.ContentLength = data.Length - from;
        if (HttpMethods.IsHead(context.Request.Method)) return;
        // Counted before writing: the client can finish reading before this handler's write returns.
        Interlocked.Add(ref _bytesServed, data.Length - from);
        await context.Response.Body.WriteAsync(data.AsMemory((int)from));
    }
}
