using MerFactory.Synthesis;
using MerFactory.Synthesis.Grpc;

var builder = WebApplication.CreateBuilder(args);
builder.AddGrpcServiceDefaults();
builder.AddSynthesisServices();

var app = builder.Build();
app.MapDefaultEndpoints();
app.MapGrpcService<JobsService>();
app.Run();
