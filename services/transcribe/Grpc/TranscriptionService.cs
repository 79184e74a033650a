using Grpc.Core;
using MerFactory.Protos.Common;
using MerFactory.Protos.Transcribe;

namespace MerFactory.Transcribe.Grpc;

/// <summary>Speech recognition, voice activity and prosody.</summary>
public sealed class TranscriptionService : Transcription.TranscriptionBase
{
    public override Task<ServiceDescription> Describe(Empty request, ServerCallContext context) =>
        Task.FromResult(new ServiceDescription
        {
            Name = "transcribe",
            Version = typeof(TranscriptionService).Assembly.GetName().Version?.ToString() ?? "0",
            Capabilities = { "transcribe" },
        });
}
