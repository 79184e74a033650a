using MerFactory.JobApi;
using MerFactory.JobApi.Grpc;

var builder = WebApplication.CreateBuilder(args);
builder.AddGrpcServiceDefaults();
builder.AddJobApi();

var app = builder.Build();
app.MapDefaultEndpoints();
app.MapGrpcService<JobsService>();
app.Run();
