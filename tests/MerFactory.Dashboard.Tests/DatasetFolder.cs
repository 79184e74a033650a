using MerFactory.Dashboard.Testing;
using MerFactory.Testing;

namespace MerFactory.Dashboard.Tests;

/// <summary>A temporary output folder with generated records whose media are the shared clip and speech.</summary>
public sealed class DatasetFolder : IDisposable
{
    public DatasetFolder(int count = 12)
    {
        Root = Directory.CreateTempSubdirectory("mf-dash-").FullName;
        Output = Directory.CreateDirectory(Path.Combine(Root, "out")).FullName;
        Inputs = Directory.CreateDirectory(Path.Combine(Root, "in")).FullName;
        Video = Path.Combine(Inputs, "single_face.mp4");
        File.Copy(SharedData.DataPath("media", "pyfeat", "single_face.mp4"), Video);
        Specs = SampleDataset.Specs(count);
        foreach (var spec in Specs) SampleDataset.Write(Output, spec, Video, SharedData.DataPath("speech", "jfk.wav"));
    }

    public string Root { get; }
    public string Output { get; }
    public string Inputs { get; }
    public string Video { get; }
    public IReadOnlyList<SampleSpec> Specs { get; }

    public void Dispose() => Directory.Delete(Root, recursive: true);
}
