using MerFactory.AuService;
using MerFactory.AuService.Grpc;

var builder = WebApplication.CreateBuilder(args);
builder.AddGrpcServiceDefaults();
builder.AddAuServices();

var app = builder.Build();
app.MapDefaultEndpoints();
app.MapGrpcService<AuAnalysisService>();
app.Run();
