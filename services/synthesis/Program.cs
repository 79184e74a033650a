using MerFactory.Synthesis.Grpc;

var builder = WebApplication.CreateBuilder(args);
builder.AddGrpcServiceDefaults();

var app = builder.Build();
app.MapDefaultEndpoints();
app.MapGrpcService<SynthesisService>();
app.Run();
