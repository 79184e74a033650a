using System.CommandLine;

namespace MerFactory.Cli;

internal static class CliApplication
{
    public static RootCommand BuildRootCommand()
    {
        var root = new RootCommand("A modular CLI tool to construct the MERR dataset from video and image files.")
        {
            ProcessCommand.Create(),
            FacsCommand.Create(),
            AuCommand.Create(),
            ModelsCommand.Create(),
            ExportCommand.Create(),
            TrainCommand.Create(),
            EvaluateCommand.Create(),
            DashboardCommand.Create(),
        };
        return root;
    }
}
