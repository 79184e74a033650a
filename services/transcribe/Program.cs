using MerFactory.Transcribe.Grpc;

var builder = WebApplication.CreateBuilder(args);
builder.AddGrpcServiceDefaults();

var app = builder.Build();
app.MapDefaultEndpoints();
app.MapGrpcService<TranscriptionService>();
app.Run();
