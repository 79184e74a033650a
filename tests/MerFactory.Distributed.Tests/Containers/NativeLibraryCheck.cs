using System.Text.RegularExpressions;

namespace MerFactory.Distributed.Tests.Containers;

/// <summary>
/// Whether every native library a service ships (its app layer's <c>/app/runtimes/linux-x64</c>) finds what it links
/// inside the image: the image's own loader lists each one (<c>ld.so --list</c>), as the service's dlopen resolves it.
/// A package that loads its libraries by path in order (Whisper.net: libwhisper.so needs the soname
/// libggml-whisper.so.0, which is its file libggml-whisper.so) gets those siblings preloaded the same way.
/// </summary>
internal static partial class NativeLibraryCheck
{
    private const string Loader = "/lib64/ld-linux-x86-64.so.2";

    [GeneratedRegex(@"error while loading shared libraries: ([^:\s]+):")]
    private static partial Regex MissingLibrary();

    [GeneratedRegex(@"(\.\d+)+$")]
    private static partial Regex SonameVersion();

    /// <summary>The loader's complaint for each library that does not resolve; empty when all do.</summary>
    public static async Task<IReadOnlyList<string>> UnresolvedAsync(ContainerImagesFixture images, string service)
    {
        var app = await images.AppLayerAsync(service);
        var libraries = Directory.GetFiles(Path.Combine(app, "app", "runtimes", "linux-x64"), "*.so*", SearchOption.AllDirectories)
            .Select(f => "/" + Path.GetRelativePath(app, f)).Order(StringComparer.Ordinal).ToList();
        Assert.NotEmpty(libraries);
        var preloads = new Dictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal);
        var problems = new List<string>();
        foreach (var library in libraries)
        {
            if (await ResolveAsync(images, service, app, library, preloads, depth: 0) is { } problem) problems.Add(problem);
        }
        return problems;
    }

    /// <summary>Lists <paramref name="library"/>; a soname it misses that a sibling file provides is resolved first and preloaded.</summary>
    private static async Task<string?> ResolveAsync(ContainerImagesFixture images, string service, string app, string library,
        Dictionary<string, IReadOnlyList<string>> preloads, int depth)
    {
        if (preloads.ContainsKey(library)) return null;
        var preload = new List<string>();
        while (true)
        {
            string[] command = preload.Count == 0 ? [Loader, "--list", library] : [Loader, "--preload", string.Join(' ', preload), "--list", library];
            await using var container = await images.StartAsync(service, new Dictionary<string, string>(), command: command);
            await container.Process.WaitForExitAsync();
            var output = container.Output;
            if (container.Process.ExitCode == 0 && !output.Contains("not found", StringComparison.Ordinal))
            {
                preloads[library] = preload;
                return null;
            }
            var missing = MissingLibrary().Match(output);
            var sibling = missing.Success ? Path.Combine(Path.GetDirectoryName(library)!, SonameVersion().Replace(missing.Groups[1].Value, "")) : null;
            if (sibling is null || sibling == library || preload.Contains(sibling) || depth > 8 || !File.Exists(app + sibling))
                return $"{library}: {output.Trim()}";
            if (await ResolveAsync(images, service, app, sibling, preloads, depth + 1) is { } problem) return problem;
            preload = [.. preloads[sibling].Where(p => !preload.Contains(p)), sibling, .. preload];
        }
    }
}
