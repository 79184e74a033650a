using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using MerFactory.Contracts;
using MerFactory.Storage;

namespace MerFactory.Pipeline.Orchestration;

/// <summary>The OUTPUT folder in MER-Factory's layout (spec §7.1): <c>{id}/</c> per input, <c>error_logs/</c>, a run summary.</summary>
public sealed class OutputFolder
{
    /// <summary>JSON as MER-Factory writes it: 4-space indent, UTF-8, non-ASCII kept.</summary>
    public static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        IndentSize = 4,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    /// <param name="links">When given, artifacts are linked (recorded there), not copied into OUTPUT: see <see cref="ArtifactLinks"/>.</param>
    public OutputFolder(string root, ArtifactLinks? links = null)
    {
        Links = links;
        Root = Path.GetFullPath(root);
        try
        {
            Directory.CreateDirectory(Root);
            Directory.CreateDirectory(ErrorLogs);
            var probe = Path.Combine(Root, $".write-test-{Guid.NewGuid():N}");
            File.WriteAllText(probe, "");
            File.Delete(probe);
        }
        catch (Exception e) when (e is UnauthorizedAccessException or IOException)
        {
            throw new OutputFolderException($"Error: cannot write to output folder '{root}': {e.Message}");
        }
    }

    public string Root { get; }

    public ArtifactLinks? Links { get; }

    public string ErrorLogs => Path.Combine(Root, "error_logs");

    /// <summary>Where the embedded object store (artifacts, step cache) lives: inside OUTPUT, so re-runs resume.</summary>
    public string StoreRoot => Path.Combine(Root, ".merfactory");

    public string FileFolder(string id) => Path.Combine(Root, id);

    public string FilePath(string id, string suffix) => Path.Combine(FileFolder(id), id + suffix);

    public Task WriteJsonAsync<T>(string path, T value, CancellationToken cancellationToken) =>
        WriteTextAsync(path, JsonSerializer.Serialize(value, Json), cancellationToken);

    /// <summary>Writes UTF-8 text atomically (a <c>.partial</c> file renamed into place): a crash never leaves half of it.</summary>
    public async Task WriteTextAsync(string path, string text, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var temp = path + ".partial";
        try
        {
            await File.WriteAllTextAsync(temp, text, new UTF8Encoding(false), cancellationToken).ConfigureAwait(false);
            File.Move(temp, path, overwrite: true);
        }
        catch
        {
            DeleteQuietly(temp); // a full disk or a cancelled write leaves no half file behind
            throw;
        }
    }

    /// <summary>
    /// Copies an artifact into the output folder (atomically: no half-written file on a crash), or, with
    /// <see cref="Links"/>, records that the output file is that artifact. A path outside OUTPUT is always a real copy.
    /// </summary>
    public async Task CopyArtifactAsync(IObjectStore store, ObjectReference reference, string path, CancellationToken cancellationToken)
    {
        var relative = Path.GetRelativePath(Root, Path.GetFullPath(path));
        if (Links is not null && !relative.StartsWith("..", StringComparison.Ordinal) && !Path.IsPathRooted(relative))
        {
            Links.Add(relative.Replace(Path.DirectorySeparatorChar, '/'), reference);
            return;
        }
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        if (File.Exists(path) && new FileInfo(path).Length == reference.Size) return;
        var temp = path + ".partial";
        try
        {
            await using (var source = await store.OpenReadAsync(reference.Key, cancellationToken).ConfigureAwait(false))
            await using (var target = File.Create(temp))
            {
                await source.CopyToAsync(target, cancellationToken).ConfigureAwait(false);
            }
            File.Move(temp, path, overwrite: true);
        }
        catch
        {
            DeleteQuietly(temp);
            throw;
        }
    }

    private static void DeleteQuietly(string path)
    {
        try { File.Delete(path); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
    }

    /// <summary>
    /// Takes OUTPUT for this process (<c>.merfactory/run.lock</c>, released when disposed, and by the OS if the process dies),
    /// so two runs never write the same files and leftovers of a killed run can be cleared safely.
    /// </summary>
    public IDisposable AcquireRunLock()
    {
        Directory.CreateDirectory(StoreRoot);
        var path = Path.Combine(StoreRoot, "run.lock");
        try
        {
            var stream = new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None, 1, FileOptions.DeleteOnClose);
            return stream;
        }
        catch (IOException)
        {
            throw new OutputFolderException($"Error: another merfactory run is using output folder '{Root}' (lock {path}); wait for it to finish or choose another folder.");
        }
    }

    private string UnfinishedRunPath => Path.Combine(StoreRoot, "unfinished-run.txt");

    /// <summary>
    /// The job id of the run that was interrupted on this folder (killed, crashed, Ctrl+C), so a restart reuses the LLM
    /// steps it finished even without <c>--cache</c>; a new id when the last run finished. Call while holding the run lock.
    /// </summary>
    public Guid ResumeOrStartJob()
    {
        var path = UnfinishedRunPath;
        if (File.Exists(path) && Guid.TryParse(File.ReadAllText(path).Trim(), out var interrupted)) return interrupted;
        var id = Guid.NewGuid();
        var temp = path + ".partial";
        File.WriteAllText(temp, id.ToString());
        File.Move(temp, path, overwrite: true);
        return id;
    }

    /// <summary>The run finished (whatever its files' outcomes): the next run is a new one, which asks every LLM step again unless <c>--cache</c>.</summary>
    public void FinishJob() => File.Delete(UnfinishedRunPath);

    /// <summary>Deletes half-written files a killed run left (<c>*.partial</c>); call while holding the run lock.</summary>
    public int RemoveLeftovers()
    {
        var removed = 0;
        foreach (var file in Directory.EnumerateFiles(Root, "*.partial", SearchOption.AllDirectories))
        {
            try { File.Delete(file); removed++; }
            catch (IOException) { }
        }
        return removed;
    }

    /// <summary>MER-Factory's error log path: <c>error_logs/{id}_error.log</c>.</summary>
    public string ErrorLogPath(string id) => Path.Combine(ErrorLogs, $"{id}_error.log");

    /// <summary>
    /// Writes MER-Factory's error log (atomically). Returns null, or why it could not be written (disk full, folder
    /// gone or read-only): a file's failure must never become the run's.
    /// </summary>
    public async Task<string?> TryWriteErrorLogAsync(string id, string error)
    {
        try
        {
            Directory.CreateDirectory(ErrorLogs);
            await WriteTextAsync(ErrorLogPath(id), $"Error processing video: {id}\n{new string('=', 20)}\n{error}", CancellationToken.None).ConfigureAwait(false);
            return null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return e.Message;
        }
    }

    /// <summary>Removes a file's error log (it succeeded after failing before); a log that cannot be removed stays.</summary>
    public void RemoveErrorLog(string id) => DeleteQuietly(ErrorLogPath(id));
}

public sealed class OutputFolderException(string message) : Exception(message);
