using MerFactory.HfServer.Grpc;

var builder = WebApplication.CreateBuilder(args);
builder.AddGrpcServiceDefaults();

var app = builder.Build();
app.MapDefaultEndpoints();
app.MapGrpcService<ModelServerService>();
app.Run();
