using System.Net;
using System.Text;
using System.Text.Json;

namespace MerFactory.Llm.Backends;

/// <summary>
/// OpenAI-compatible servers (vLLM, OpenRouter, llama.cpp) report a failure that happens after the 200 as an event
/// <c>data: {"error":{...}}</c> inside the SSE stream. The OpenAI SDK reads such a chunk as an update without choices,
/// so the stream would look merely truncated and the provider's message would be lost. This watches the bytes the SDK
/// reads and throws a classified <see cref="LlmBackendException"/> carrying that message when the event arrives.
/// </summary>
internal static class SseErrorEvents
{
    public static async Task<HttpResponseMessage> WatchAsync(string backend, HttpResponseMessage response, CancellationToken cancellationToken)
    {
        if (response.Content.Headers.ContentType?.MediaType is not "text/event-stream") return response;
        var original = response.Content;
        var stream = await original.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        var watched = new StreamContent(new ErrorEventStream(stream, backend));
        foreach (var header in original.Headers) watched.Headers.TryAddWithoutValidation(header.Key, header.Value);
        response.Content = watched;
        return response;
    }

    /// <summary>The failure an SSE <c>data:</c> line reports, or null when it is not an error event.</summary>
    public static LlmBackendException? FromDataLine(string backend, string line)
    {
        if (!line.StartsWith("data:", StringComparison.Ordinal) || !line.Contains("\"error\"", StringComparison.Ordinal)) return null;
        var data = line["data:".Length..].Trim();
        try
        {
            using var doc = JsonDocument.Parse(data);
            if (doc.RootElement.ValueKind != JsonValueKind.Object || !doc.RootElement.TryGetProperty("error", out var error)) return null;
            var (message, retryDelay) = ProviderErrors.ParseErrorBody(data);
            // vLLM puts the HTTP status it would have sent into "code"; without one the server failed mid-answer.
            int? status = error.ValueKind == JsonValueKind.Object && error.TryGetProperty("code", out var code) && code.ValueKind == JsonValueKind.Number
                && code.TryGetInt32(out var number) && number is >= 400 and < 600 ? number : null;
            var kind = status is { } s ? ProviderErrors.Classify((HttpStatusCode)s) : LlmFailureKind.ServerError;
            return new LlmBackendException(backend, null, kind, $"error inside stream: {message ?? ProviderErrors.Shorten(data)}", status, retryDelay);
        }
        catch (JsonException)
        {
            return null; // not an error event; a malformed chunk is the SDK's to report
        }
    }

    /// <summary>Passes bytes through unchanged while splitting them into lines; throws on an error event's line.</summary>
    private sealed class ErrorEventStream(Stream inner, string backend) : Stream
    {
        // An error event is small; longer lines are content chunks and are not kept.
        private const int MaxWatchedLine = 64 * 1024;
        private readonly MemoryStream _line = new();
        private bool _lineTooLong;

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            var read = await inner.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
            Scan(buffer.Span[..read]);
            return read;
        }

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override int Read(byte[] buffer, int offset, int count)
        {
            var read = inner.Read(buffer, offset, count);
            Scan(buffer.AsSpan(offset, read));
            return read;
        }

        private void Scan(ReadOnlySpan<byte> bytes)
        {
            foreach (var b in bytes)
            {
                if (b is (byte)'\n' or (byte)'\r')
                {
                    if (!_lineTooLong && _line.Length > 0 && FromDataLine(backend, Encoding.UTF8.GetString(_line.GetBuffer(), 0, (int)_line.Length)) is { } failure)
                        throw failure;
                    _line.SetLength(0);
                    _lineTooLong = false;
                }
                else if (_line.Length < MaxWatchedLine) _line.WriteByte(b);
                else _lineTooLong = true;
            }
        }

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                inner.Dispose();
                _line.Dispose();
            }
            base.Dispose(disposing);
        }

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
