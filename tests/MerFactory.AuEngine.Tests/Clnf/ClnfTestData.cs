using MerFactory.AuEngine.Clnf;
using MerFactory.Testing;

namespace MerFactory.AuEngine.Tests.Clnf;

/// <summary>The shared OpenFace CLNF model, loaded once per test run.</summary>
public static class ClnfTestData
{
    public static string ModelDirectory => SharedData.DataPath("openface", "clnf", "model");

    public static string MainModelPath => Path.Combine(ModelDirectory, ClnfModel.MainFileName);

    private static readonly Lazy<ClnfModel> Loaded = new(() => ClnfModel.Load(MainModelPath));

    public static ClnfModel Model => Loaded.Value;
}
