using MerFactory.Transcribe;
using MerFactory.Transcribe.Grpc;

var builder = WebApplication.CreateBuilder(args);
builder.AddGrpcServiceDefaults();
builder.AddTranscribeServices();

var app = builder.Build();
app.MapDefaultEndpoints();
app.MapGrpcService<TranscriptionService>();
app.Run();
