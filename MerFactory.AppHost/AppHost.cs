using MerFactory.AppHost;

var builder = DistributedApplication.CreateBuilder(args);

// Infrastructure: containers where a runtime is healthy, local executables (apt rabbitmq-server, npm s3rver) where not.
var infrastructure = builder.AddMerFactoryInfrastructure();

// Services: each waits for the broker and the object store it talks through.
var mediaExtract = builder.AddMerFactoryService<Projects.MerFactory_MediaExtract>("media-extract", infrastructure);
// Model locations and engine settings come from the AppHost's own configuration sections of the same names.
var auService = builder.AddMerFactoryService<Projects.MerFactory_AuService>("au-service", infrastructure)
    .WithConfigurationSections("AuModels", "AuEngine");
var transcribe = builder.AddMerFactoryService<Projects.MerFactory_Transcribe>("transcribe", infrastructure)
    .WithConfigurationSections("Speech");
var hfServer = builder.AddMerFactoryService<Projects.MerFactory_HfServer>("hf-server", infrastructure);
var llmGateway = builder.AddMerFactoryService<Projects.MerFactory_LlmGateway>("llm-gateway", infrastructure)
    .WithConfigurationSections("LlmGateway")
    .WithSecretParameter("google-api-key", "GOOGLE_API_KEY")
    .WithSecretParameter("openai-api-key", "OPENAI_API_KEY")
    .WithReference(hfServer.GetEndpoint("grpc"))
    .WithOllama(infrastructure);
builder.AddMerFactoryService<Projects.MerFactory_Synthesis>("synthesis", infrastructure)
    .WithConfigurationSections("GateAgent")
    .WithReference(mediaExtract.GetEndpoint("grpc"))
    .WithReference(auService.GetEndpoint("grpc"))
    .WithReference(transcribe.GetEndpoint("grpc"))
    .WithReference(llmGateway.GetEndpoint("grpc"));
builder.AddMerFactoryService<Projects.MerFactory_ExportService>("export", infrastructure);
// The curation dashboard: records and media from the object store (Dashboard:StorePrefix), curation in PostgreSQL.
builder.AddMerFactoryDashboard<Projects.MerFactory_DashboardService>(infrastructure)
    .WithConfigurationSections("Dashboard", "LlmGateway");

builder.Build().Run();
