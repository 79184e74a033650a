namespace MerFactory.Testing;

/// <summary>Locates the read-only <c>shared/</c> folder (models, media, reference outputs) that sits beside the repository.</summary>
public static class SharedData
{
    private static readonly Lazy<string> RootPath = new(FindRoot);

    /// <summary>Absolute path of <c>shared/</c>; override with MERFACTORY_SHARED.</summary>
    public static string Root => RootPath.Value;

    /// <summary>Absolute path of <c>shared/data</c>.</summary>
    public static string Data => Path.Combine(Root, "data");

    /// <summary>Path of a file under <c>shared/data</c>, e.g. <c>Path("media", "pyfeat", "single_face.jpg")</c>.</summary>
    public static string DataPath(params string[] parts) => Path.Combine([Data, .. parts]);

    /// <summary>Repository root (the folder holding MerFactory.sln).</summary>
    public static string RepoRoot => FindRepoRoot();

    private static string FindRoot()
    {
        var fromEnv = Environment.GetEnvironmentVariable("MERFACTORY_SHARED");
        if (!string.IsNullOrEmpty(fromEnv) && Directory.Exists(fromEnv)) return Path.GetFullPath(fromEnv);
        var candidate = Path.GetFullPath(Path.Combine(FindRepoRoot(), "..", "shared"));
        if (Directory.Exists(candidate)) return candidate;
        throw new DirectoryNotFoundException($"shared/ folder not found beside the repository ({candidate}); set MERFACTORY_SHARED.");
    }

    private static string FindRepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "MerFactory.sln"))) return dir.FullName;
        }
        throw new DirectoryNotFoundException("MerFactory.sln not found above " + AppContext.BaseDirectory);
    }
}
