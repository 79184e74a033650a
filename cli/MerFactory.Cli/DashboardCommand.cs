using System.CommandLine;
using MerFactory.Dashboard;
using MerFactory.Dashboard.Runs;
using MerFactory.Llm.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace MerFactory.Cli;

/// <summary><c>merfactory dashboard OUTPUT_DIR [--host 127.0.0.1] [--port 5080]</c>: the curation dashboard, in this process.</summary>
internal static class DashboardCommand
{
    private static readonly Argument<string> Output = new("OUTPUT_DIR") { Description = "The dataset: an output folder of `merfactory process`." };
    private static readonly Option<string> HostOption = new("--host") { Description = "Address to bind. Anything but loopback requires the access token printed at start.", DefaultValueFactory = _ => "127.0.0.1" };
    private static readonly Option<int> Port = new("--port") { Description = "Port (0 = any free port).", DefaultValueFactory = _ => 5080 };
    private static readonly Option<string?> Token = new("--token") { Description = "Access token (also MERFACTORY_DASHBOARD_TOKEN); generated for non-loopback binds when omitted." };
    private static readonly Option<string?> InputRoot = new("--input-root") { Description = "Folder the run builder may take inputs from (default: the current folder)." };
    private static readonly Option<string?> Author = new("--author") { Description = "Name recorded with edits (default: the user name)." };

    public static Command Create()
    {
        var command = new Command("dashboard", "Curation dashboard: review, edit, rate and compare records beside their evidence; prompt lab, run builder, curated export.")
        {
            Output, HostOption, Port, Token, InputRoot, Author,
            ProcessCommand.ChatGptModel, ProcessCommand.OllamaVisionModel, ProcessCommand.OllamaTextModel, ProcessCommand.HuggingFaceModel,
            ProcessCommand.OpenAiBaseUrl, ProcessCommand.ModelCapabilities, ProcessCommand.LlmRoute,
        };
        Output.Validators.Add(r => { if (!Directory.Exists(r.GetValueOrDefault<string>())) r.AddError($"OUTPUT_DIR '{r.GetValueOrDefault<string>()}' does not exist."); });
        Port.Validators.Add(r => { if (r.GetValueOrDefault<int>() is < 0 or > 65535) r.AddError("--port must be 0–65535."); });
        command.SetAction(async (parse, ct) =>
        {
            var options = new DashboardOptions
            {
                OutputDir = Path.GetFullPath(parse.GetValue(Output)!),
                Host = parse.GetValue(HostOption)!,
                Port = parse.GetValue(Port),
                Token = parse.GetValue(Token) ?? Environment.GetEnvironmentVariable("MERFACTORY_DASHBOARD_TOKEN"),
                InputRoot = parse.GetValue(InputRoot),
            };
            if (parse.GetValue(Author) is { Length: > 0 } author) options.DefaultAuthor = author;
            var flags = new LlmCliFlags
            {
                ChatGptModel = parse.GetValue(ProcessCommand.ChatGptModel),
                OllamaVisionModel = parse.GetValue(ProcessCommand.OllamaVisionModel),
                OllamaTextModel = parse.GetValue(ProcessCommand.OllamaTextModel),
                HuggingFaceModel = parse.GetValue(ProcessCommand.HuggingFaceModel),
                OpenAiBaseUrl = parse.GetValue(ProcessCommand.OpenAiBaseUrl),
                ModelCapabilities = parse.GetValue(ProcessCommand.ModelCapabilities),
                StepRoutes = parse.GetValue(ProcessCommand.LlmRoute) ?? [],
            };
            LlmRoutingOptions routing;
            try
            {
                routing = LlmRouting.FromCliFlags(flags);
            }
            catch (ArgumentException e)
            {
                Console.Error.WriteLine($"Error: {e.Message}");
                return 1;
            }
            await using var app = DashboardHost.Build(options, routing, services => services.AddSingleton<IRunLauncher>(new DashboardRunLauncher(flags, options.OutputDir)));
            await app.StartAsync(ct);
            var address = DashboardHost.Address(app);
            var shown = options.IsLoopback ? address.ToString() : new UriBuilder(address) { Host = options.Host }.Uri.ToString();
            Console.WriteLine($"MerFactory dashboard for {options.OutputDir}");
            Console.WriteLine(options.Token is { } token ? $"Open {shown}?token={token}" : $"Open {shown}");
            Console.WriteLine("Press Ctrl+C to stop.");
            await app.WaitForShutdownAsync(ct);
            return 0;
        });
        return command;
    }
}
