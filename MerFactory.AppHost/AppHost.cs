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
// The local model host (GGUF/Whisper); models folder and default model from the AppHost's ModelHost section.
var hfServer = builder.AddHfServer(infrastructure, out var hfServerKey);
var llmGateway = builder.AddMerFactoryService<Projects.MerFactory_LlmGateway>("llm-gateway", infrastructure)
    .WithConfigurationSections("LlmGateway")
    .WithSecretParameter("google-api-key", "GOOGLE_API_KEY")
    .WithSecretParameter("openai-api-key", "OPENAI_API_KEY")
    .WithReference(hfServer.GetEndpoint("grpc"))
    .WithHfServer(hfServer, hfServerKey)
    .WithOllama(infrastructure);
// The job API (jobs service): clients submit and watch jobs here; it drives the step services over the bus.
var jobs = builder.AddMerFactoryService<Projects.MerFactory_JobApi>("jobs", infrastructure)
    .AsJobApi()
    .WithUserCredential()
    .WithDatabase(infrastructure.Database)
    .WithConfigurationSections("GateAgent")
    .WithReference(mediaExtract.GetEndpoint("grpc"))
    .WithReference(auService.GetEndpoint("grpc"))
    .WithReference(transcribe.GetEndpoint("grpc"))
    .WithReference(llmGateway.GetEndpoint("grpc"));
builder.AddMerFactoryService<Projects.MerFactory_ExportService>("export", infrastructure)
    .WithUserCredential();
// The curation dashboard: records and media from the object store (Dashboard:StorePrefix), curation in PostgreSQL;
// its run builder starts jobs on the job API as a client (the api-token credential).
builder.AddMerFactoryDashboard<Projects.MerFactory_DashboardService>(infrastructure)
    .WithConfigurationSections("Dashboard", "LlmGateway")
    .WithJobApiClient(jobs)
    .WithDashboardTokenWhenDeployed();

builder.Build().Run();
