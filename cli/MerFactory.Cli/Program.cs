using MerFactory.Cli;

DotEnvFile.LoadFromWorkingDirectory();
var parse = CliApplication.BuildRootCommand().Parse(args);
var exitCode = await parse.InvokeAsync();
// Usage errors (unknown option, bad value, missing argument) exit 2, as MER-Factory's Typer CLI does.
return parse.Errors.Count > 0 ? CliExitCodes.Usage : exitCode;
