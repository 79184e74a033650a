using System.Diagnostics;
using System.Formats.Tar;
using System.Text.Json.Nodes;

namespace MerFactory.Distributed.Tests.Containers;

/// <summary>
/// An image tarball as the .NET SDK writes it (<c>ContainerArchiveOutputPath</c>: an OCI image layout in a tar): its
/// manifest, its config, and a way to run it without a container engine, as one would: each layer unpacked once into
/// its own folder, the root an overlay of them with a writable upper folder, and the entrypoint started in its own PID
/// and mount namespaces with /dev and /proc. The overlay and the mounts live only in that namespace.
/// </summary>
public sealed class OciArchive
{
    /// <summary>Entries larger than this are layers, read from the file when unpacked, never held in memory.</summary>
    private const long MetadataLimit = 1 << 20;

    private readonly string _path;

    private OciArchive(string path, Dictionary<string, byte[]> metadata)
    {
        _path = path;
        JsonNode Json(string digest) => JsonNode.Parse(metadata[BlobPath(digest)])!;
        var index = JsonNode.Parse(metadata["index.json"])!;
        Manifest = Json(index["manifests"]![0]!["digest"]!.GetValue<string>());
        Config = Json(Manifest["config"]!["digest"]!.GetValue<string>());
    }

    public JsonNode Manifest { get; }
    public JsonNode Config { get; }

    /// <summary>Bottom (the base) first.</summary>
    public IReadOnlyList<string> LayerDigests => [.. Manifest["layers"]!.AsArray().Select(l => l!["digest"]!.GetValue<string>())];

    public static OciArchive Read(string path)
    {
        var metadata = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        using var reader = new TarReader(File.OpenRead(path));
        while (reader.GetNextEntry() is { } entry)
        {
            if (entry.DataStream is null || entry.Length > MetadataLimit) continue;
            using var copy = new MemoryStream();
            entry.DataStream.CopyTo(copy);
            metadata[Name(entry)] = copy.ToArray();
        }
        return new OciArchive(path, metadata);
    }

    private static string Name(TarEntry entry) => entry.Name.TrimStart('.', '/');

    private static string BlobPath(string digest) => "blobs/sha256/" + digest["sha256:".Length..];

    /// <summary>
    /// Each layer unpacked (system tar: owners, modes and links kept) into <c>{cache}/{digest}</c> unless an earlier
    /// image shared it; returns those folders, top first, as overlayfs's lowerdir wants them.
    /// </summary>
    public async Task<IReadOnlyList<string>> UnpackLayersAsync(string cache)
    {
        var folders = new List<string>();
        foreach (var digest in LayerDigests)
        {
            var folder = Path.Combine(cache, digest["sha256:".Length..]);
            folders.Insert(0, folder);
            if (Directory.Exists(folder)) continue;
            var partial = folder + ".partial";
            Directory.CreateDirectory(partial);
            await ExtractBlobAsync(BlobPath(digest), partial);
            Directory.Move(partial, folder);
        }
        return folders;
    }

    private async Task ExtractBlobAsync(string blob, string folder)
    {
        using var tar = Process.Start(new ProcessStartInfo("tar", ["-xzf", "-", "-C", folder]) { RedirectStandardInput = true, RedirectStandardError = true })!;
        var errors = tar.StandardError.ReadToEndAsync();
        await using (var reader = new TarReader(File.OpenRead(_path)))
        {
            while (await reader.GetNextEntryAsync() is { } entry)
            {
                if (Name(entry) != blob) continue;
                await entry.DataStream!.CopyToAsync(tar.StandardInput.BaseStream);
                break;
            }
        }
        tar.StandardInput.Close();
        await tar.WaitForExitAsync();
        if (tar.ExitCode != 0) throw new InvalidOperationException($"layer {blob} did not unpack: {await errors}");
    }

    /// <summary>
    /// Starts <paramref name="command"/> (default: the image's entrypoint) as the image's user, in its working directory,
    /// with the image's environment plus <paramref name="environment"/>, on the root <c>{container}/root</c>: the
    /// <paramref name="layers"/> under <c>{container}/upper</c> (what the test puts there, and what the process writes).
    /// Needs root (unshare, mount), as CI has.
    /// </summary>
    public RunningContainer Start(IReadOnlyList<string> layers, string container, IReadOnlyDictionary<string, string> environment, params string[] command)
    {
        var config = Config["config"]!;
        var entrypoint = command.Length > 0 ? command : [.. config["Entrypoint"]!.AsArray().Select(a => a!.GetValue<string>())];
        var user = config["User"]?.GetValue<string>() is { Length: > 0 } u ? u : "0";
        var workingDirectory = config["WorkingDir"]?.GetValue<string>() is { Length: > 0 } w ? w : "/";
        var (root, upper, work) = (Path.Combine(container, "root"), Path.Combine(container, "upper"), Path.Combine(container, "work"));
        foreach (var folder in new[] { root, upper, work }) Directory.CreateDirectory(folder);
        var inner = string.Join(' ', new[] { "unshare", "-R", root, "-w", workingDirectory, "-S", user, "-G", user }.Concat(entrypoint).Select(Quote));
        var overlay = $"lowerdir={string.Join(':', layers)},upperdir={upper},workdir={work}";
        var psi = new ProcessStartInfo("unshare", ["--fork", "--pid", "--mount", "--propagation", "private", "sh", "-c",
            $"mount -t overlay overlay -o {Quote(overlay)} {Quote(root)} && mount --rbind /dev {Quote(root + "/dev")} && " +
            $"mount -t proc proc {Quote(root + "/proc")} && exec {inner}"])
        {
            RedirectStandardOutput = true, RedirectStandardError = true,
        };
        psi.Environment.Clear();
        foreach (var variable in config["Env"]?.AsArray() ?? [])
        {
            var text = variable!.GetValue<string>();
            psi.Environment[text[..text.IndexOf('=')]] = text[(text.IndexOf('=') + 1)..];
        }
        foreach (var (key, value) in environment) psi.Environment[key] = value;
        return new RunningContainer(Process.Start(psi)!);
    }

    /// <summary>True while anything is mounted under <paramref name="folder"/> in this mount namespace (then never delete it).</summary>
    public static bool HasMountsUnder(string folder) =>
        File.ReadLines("/proc/self/mountinfo").Any(line => line.Split(' ')[4].StartsWith(folder.TrimEnd('/') + "/", StringComparison.Ordinal));

    internal static string Quote(string value) => "'" + value.Replace("'", "'\\''", StringComparison.Ordinal) + "'";
}

/// <summary>A started image: its process, and its console output drained as it comes (a full pipe would stall it).</summary>
public sealed class RunningContainer : IAsyncDisposable
{
    private readonly System.Text.StringBuilder _output = new();

    public RunningContainer(Process process)
    {
        Process = process;
        process.OutputDataReceived += (_, e) => { lock (_output) _output.AppendLine(e.Data); };
        process.ErrorDataReceived += (_, e) => { lock (_output) _output.AppendLine(e.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    public Process Process { get; }

    public string Output
    {
        get { lock (_output) return _output.ToString(); }
    }

    public async ValueTask DisposeAsync()
    {
        if (!Process.HasExited) Process.Kill(entireProcessTree: true);
        await Process.WaitForExitAsync();
        Process.Dispose();
    }
}
