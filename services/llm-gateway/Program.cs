using MerFactory.LlmGateway.Grpc;

var builder = WebApplication.CreateBuilder(args);
builder.AddGrpcServiceDefaults();

var app = builder.Build();
app.MapDefaultEndpoints();
app.MapGrpcService<LlmGatewayService>();
app.Run();
