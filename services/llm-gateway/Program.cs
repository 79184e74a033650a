using MerFactory.LlmGateway;
using MerFactory.LlmGateway.Grpc;

var builder = WebApplication.CreateBuilder(args);
builder.AddGrpcServiceDefaults();
builder.AddLlmGatewayServices();

var app = builder.Build();
app.MapDefaultEndpoints();
app.MapGrpcService<LlmGatewayService>();
app.Run();
