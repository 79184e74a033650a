namespace MerFactory.Bench;

/// <summary>
/// One benchmark: prints its figures (and the reference tool's, measured in the same run) to the writer.
/// Implementations are discovered by reflection, so adding a benchmark means adding one file.
/// </summary>
public interface IBenchmark
{
    /// <summary>Name used on the command line, e.g. <c>media</c>.</summary>
    string Name { get; }

    /// <summary>One line describing what is measured and against what.</summary>
    string Description { get; }

    Task<int> RunAsync(string[] args, TextWriter output, CancellationToken cancellationToken);
}
