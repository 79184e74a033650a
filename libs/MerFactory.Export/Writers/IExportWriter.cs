namespace MerFactory.Export.Writers;

/// <summary>One output of an export, fed record by record.</summary>
internal interface IExportWriter : IAsyncDisposable
{
    /// <summary>Writes the record, or reports to the export's report why this output leaves it out.</summary>
    ValueTask WriteAsync(ExportRecord record, CancellationToken cancellationToken);

    /// <summary>Finishes and moves the files into place; before this, nothing at the final paths changes.</summary>
    ValueTask<IReadOnlyList<ExportedFile>> CompleteAsync(CancellationToken cancellationToken);
}

/// <summary>A file written under a temporary name and moved over the final path only when complete.</summary>
internal sealed class PendingFile : IAsyncDisposable
{
    private bool _committed;

    public PendingFile(string finalPath)
    {
        FinalPath = Path.GetFullPath(finalPath);
        TempPath = FinalPath + ".partial";
        Stream = new FileStream(TempPath, FileMode.Create, FileAccess.Write, FileShare.None, 64 * 1024);
    }

    public string FinalPath { get; }
    public string TempPath { get; }
    public FileStream Stream { get; }

    public async ValueTask CommitAsync()
    {
        await Stream.FlushAsync();
        await Stream.DisposeAsync();
        File.Move(TempPath, FinalPath, overwrite: true);
        _committed = true;
    }

    public async ValueTask DisposeAsync()
    {
        if (_committed) return;
        await Stream.DisposeAsync();
        File.Delete(TempPath);
    }
}
