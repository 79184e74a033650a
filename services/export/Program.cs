using MerFactory.ExportService.Grpc;

var builder = WebApplication.CreateBuilder(args);
builder.AddGrpcServiceDefaults();

var app = builder.Build();
app.MapDefaultEndpoints();
app.MapGrpcService<DatasetExportService>();
app.Run();
