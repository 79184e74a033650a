using System.Diagnostics;
using System.Formats.Tar;
using System.Text.Json.Nodes;

namespace MerFactory.Distributed.Tests.Containers;

/// <summary>
/// An image tarball as the .NET SDK writes it (<c>ContainerArchiveOutputPath</c>: an OCI image layout in a tar): its
/// manifest, its config, and a way to run it without a container engine — the layers unpacked into a root folder and
/// the entrypoint started in its own PID and mount namespaces with /dev and /proc, as a container runtime would.
/// </summary>
public sealed class OciArchive
{
    private readonly Dictionary<string, byte[]> _entries;

    private OciArchive(Dictionary<string, byte[]> entries)
    {
        _entries = entries;
        var index = JsonNode.Parse(_entries["index.json"])!;
        Manifest = Blob(index["manifests"]![0]!["digest"]!.GetValue<string>());
        Config = Blob(Manifest["config"]!["digest"]!.GetValue<string>());
    }

    public JsonNode Manifest { get; }
    public JsonNode Config { get; }

    public IReadOnlyList<string> LayerDigests => [.. Manifest["layers"]!.AsArray().Select(l => l!["digest"]!.GetValue<string>())];

    public static OciArchive Read(string path)
    {
        var entries = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        using var reader = new TarReader(File.OpenRead(path));
        while (reader.GetNextEntry() is { } entry)
        {
            if (entry.DataStream is null) continue;
            using var copy = new MemoryStream();
            entry.DataStream.CopyTo(copy);
            entries[entry.Name.TrimStart('.', '/')] = copy.ToArray();
        }
        return new OciArchive(entries);
    }

    private JsonNode Blob(string digest) => JsonNode.Parse(_entries[BlobPath(digest)])!;

    private static string BlobPath(string digest) => "blobs/sha256/" + digest["sha256:".Length..];

    /// <summary>Unpacks every layer, in order, into <paramref name="root"/> (system tar: owners, modes and links kept).</summary>
    public async Task UnpackAsync(string root)
    {
        foreach (var digest in LayerDigests)
        {
            var layer = Path.Combine(Path.GetTempPath(), $"mf-layer-{Guid.NewGuid():N}.tar.gz");
            await File.WriteAllBytesAsync(layer, _entries[BlobPath(digest)]);
            try
            {
                var (exit, output) = await LocalRegistry.Run("tar", "-xzf", layer, "-C", root);
                if (exit != 0) throw new InvalidOperationException($"layer {digest} did not unpack: {output}");
            }
            finally
            {
                File.Delete(layer);
            }
        }
    }

    /// <summary>
    /// Starts <paramref name="command"/> (default: the image's entrypoint) in the unpacked <paramref name="root"/> as the
    /// image's user, in its working directory, with the image's environment plus <paramref name="environment"/>.
    /// Needs root (unshare, mount), as CI has.
    /// </summary>
    public RunningContainer Start(string root, IReadOnlyDictionary<string, string> environment, params string[] command)
    {
        var config = Config["config"]!;
        var entrypoint = command.Length > 0 ? command : [.. config["Entrypoint"]!.AsArray().Select(a => a!.GetValue<string>())];
        var user = config["User"]?.GetValue<string>() is { Length: > 0 } u ? u : "0";
        var workingDirectory = config["WorkingDir"]?.GetValue<string>() is { Length: > 0 } w ? w : "/";
        var inner = string.Join(' ', new[] { "unshare", "-R", root, "-w", workingDirectory, "-S", user, "-G", user }.Concat(entrypoint).Select(Quote));
        var psi = new ProcessStartInfo("unshare", ["--fork", "--pid", "--mount", "--propagation", "private", "sh", "-c",
            $"mount --rbind /dev {Quote(root + "/dev")} && mount -t proc proc {Quote(root + "/proc")} && exec {inner}"])
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

    private static string Quote(string value) => "'" + value.Replace("'", "'\\''", StringComparison.Ordinal) + "'";
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
