using MerFactory.ExportService;
using MerFactory.ExportService.Grpc;

var builder = WebApplication.CreateBuilder(args);
builder.AddGrpcServiceDefaults();
builder.AddExportServices();

var app = builder.Build();
app.MapDefaultEndpoints();
app.MapGrpcService<DatasetExportService>();
app.Run();
