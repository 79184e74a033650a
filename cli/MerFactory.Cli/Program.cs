using MerFactory.Cli;

return await CliApplication.BuildRootCommand().Parse(args).InvokeAsync();
