using MerFactory.MediaExtract;
using MerFactory.MediaExtract.Grpc;

var builder = WebApplication.CreateBuilder(args);
builder.AddGrpcServiceDefaults();
builder.AddMediaExtractServices();

var app = builder.Build();
app.MapDefaultEndpoints();
app.MapGrpcService<MediaExtractService>();
app.Run();
