using MerFactory.ModelHost;
using MerFactory.ModelHost.Grpc;
using MerFactory.ModelHost.Http;

var builder = WebApplication.CreateBuilder(args);
builder.AddGrpcServiceDefaults();
builder.Services.AddModelHost(builder.Configuration);
// Media travel inline (base64) in chat requests.
builder.WebHost.ConfigureKestrel(k => k.Limits.MaxRequestBodySize = new ModelHostOptions().MaxRequestBytes);

var app = builder.Build();
app.MapDefaultEndpoints();
app.MapGrpcService<ModelServerGrpcService>();
// OpenAI-compatible surface (llama-server's shape) on the same ports; /health comes from the service defaults, metrics
// (meter MerFactory.ModelHost) are exported by them too.
app.MapModelHost();
app.Run();
