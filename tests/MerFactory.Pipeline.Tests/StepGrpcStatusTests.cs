using Grpc.Core;
using MassTransit.Events;
using MerFactory.Jobs.Steps;
using MerFactory.Speech.Engines;
using MerFactory.Steps.Grpc;

namespace MerFactory.Pipeline.Tests;

/// <summary>A step's fault reaches a gRPC caller with the status that says whose fault it is.</summary>
public sealed class StepGrpcStatusTests
{
    [Fact]
    public void TheCallersBadInputIsInvalidArgument() =>
        Assert.Equal(StatusCode.InvalidArgument, StepGrpc.StatusFor(new FaultExceptionInfo(new StepInputException("clip.mp4: not a readable video"))));

    [Fact]
    public void AMissingModelIsTheServersSetUp() =>
        Assert.Equal(StatusCode.FailedPrecondition, StepGrpc.StatusFor(new FaultExceptionInfo(
            new StepInputException("clip.wav: no Whisper model", new SpeechModelException("run merfactory models install whisper-base")))));

    [Fact]
    public void ANativeLibraryThatFailedToLoadIsInternal() =>
        Assert.Equal(StatusCode.Internal, StepGrpc.StatusFor(new FaultExceptionInfo(new DllNotFoundException("libOpenCvSharpExtern.so: cannot open shared object file"))));
}
