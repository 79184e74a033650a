using System.CommandLine;
using MerFactory.Dashboard;
using MerFactory.Dashboard.Preferences;
using MerFactory.Dashboard.Runs;
using MerFactory.JobClient;
using Microsoft.AspNetCore.Builder;
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
    private static readonly Option<string?> Server = new("--server") { Description = "A deployment's job API: the run builder runs its jobs there (inputs uploaded, records downloaded into OUTPUT_DIR)." };
    private static readonly Option<string?> ServerToken = new("--server-token") { Description = "With --server: the API token (the AppHost's api-token parameter); default $MERFACTORY_TOKEN." };
    private static readonly Option<string[]> Compare = new("--compare")
    {
        Description = "Another output folder of the same clips ([NAME=]DIR; repeatable): its descriptions are compared pairwise with this dataset's.",
        AllowMultipleArgumentsPerToken = false,
    };

    public static Command Create()
    {
        var command = new Command("dashboard", "Curation dashboard: review, edit, rate and compare records beside their evidence; prompt lab, run builder, curated export.")
        {
            Output, HostOption, Port, Token, InputRoot, Author, Compare, Server, ServerToken,
            ProcessCommand.ChatGptModel, ProcessCommand.OllamaVisionModel, ProcessCommand.OllamaTextModel, ProcessCommand.HuggingFaceModel,
            ProcessCommand.OpenAiBaseUrl, ProcessCommand.ModelCapabilities, ProcessCommand.LlmRoute,
        };
        Output.Validators.Add(r => { if (!Directory.Exists(r.GetValueOrDefault<string>())) r.AddError($"OUTPUT_DIR '{r.GetValueOrDefault<string>()}' does not exist."); });
        Compare.Validators.Add(r =>
        {
            foreach (var (_, folder) in (r.GetValueOrDefault<string[]>() ?? []).Select(ComparedRun))
                if (!Directory.Exists(folder)) r.AddError($"--compare: '{folder}' does not exist.");
        });
        Server.Validators.Add(r => { var url = r.GetValueOrDefault<string?>(); if (url is not null && !Uri.TryCreate(url, UriKind.Absolute, out _)) r.AddError($"--server '{url}' is not an absolute URL."); });
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
            foreach (var (name, folder) in (parse.GetValue(Compare) ?? []).Select(ComparedRun))
            {
                if (!options.Compare.TryAdd(name, Path.GetFullPath(folder)))
                {
                    Console.Error.WriteLine($"Error: two compared runs are named '{name}': name them (--compare NAME=DIR).");
                    return 1;
                }
            }
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
            JobApiServer? remote = null;
            if (parse.GetValue(Server) is { } server)
            {
                if ((parse.GetValue(ServerToken) ?? Environment.GetEnvironmentVariable("MERFACTORY_TOKEN")) is not { Length: > 0 } serverToken)
                {
                    Console.Error.WriteLine("Error: --server needs the deployment's API token: --server-token TOKEN or MERFACTORY_TOKEN.");
                    return 1;
                }
                remote = new JobApiServer(server, serverToken);
            }
            LlmRoutingOptions routing;
            WebApplication app;
            try
            {
                routing = LlmRouting.FromCliFlags(flags);
                app = DashboardHost.Build(options, routing, services => services.AddSingleton<IRunLauncher>(new DashboardRunLauncher(flags, options.OutputDir, remote)));
            }
            catch (ArgumentException e)
            {
                Console.Error.WriteLine($"Error: {e.Message}");
                return 1;
            }
            await using var _ = app;
            await app.StartAsync(ct);
            var address = DashboardHost.Address(app);
            var shown = options.IsLoopback ? address.ToString() : new UriBuilder(address) { Host = options.Host }.Uri.ToString();
            Console.WriteLine($"MerFactory dashboard for {options.OutputDir}");
            foreach (var (name, folder) in options.Compare) Console.WriteLine($"  compared with {name}: {folder}");
            if (remote is not null) Console.WriteLine($"  runs go to the job API at {remote.Url}");
            Console.WriteLine(options.Token is { } token ? $"Open {shown}?token={token}" : $"Open {shown}");
            Console.WriteLine("Press Ctrl+C to stop.");
            await app.WaitForShutdownAsync(ct);
            return 0;
        });
        return command;
    }

    /// <summary>"NAME=DIR" or "DIR" (named after the folder).</summary>
    internal static (string Name, string Folder) ComparedRun(string value)
    {
        var split = value.IndexOf('=', StringComparison.Ordinal);
        return split > 0 && !Directory.Exists(value) ? (value[..split], value[(split + 1)..]) : (ComparisonRuns.NameFor(value), value);
    }
}
