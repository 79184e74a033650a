using MerFactory.AuEngine.Models;
using MerFactory.AuEngine.Pipeline;
using MerFactory.Testing;
using Xunit.Abstractions;

namespace MerFactory.AuEngine.Tests;

public class EnginePipelineTests(ITestOutputHelper output)
{
    /// <summary>Models as CI provides them: shared/data and Debian's dlib model.</summary>
    internal static AuModelOptions Models() => new()
    {
        ModelsDirectory = SharedData.Data,
        YuNetModelPath = Path.Combine("models", AuModelOptions.YuNetFileName),
    };

    internal static AuEngineOptions EngineOptions() => new() { MaxDegreeOfParallelism = 2 };

    [Theory]
    [InlineData("media/pyfeat/single_face.mp4", "single_face_openface2017.csv")]
    [InlineData("media/openface_samples/default.wmv", "default_openface2017.csv")]
    public async Task With_OpenFace_landmarks_the_engine_reproduces_OpenFace_AUs(string video, string referenceName)
    {
        var reference = new ReferenceCsv(SharedData.DataPath("reference", referenceName));
        using var engine = ActionUnitEngine.Create(Models(), () => new CsvLandmarkSource(reference), EngineOptions());
        var rows = new List<AuFrameResult>();
        await foreach (var row in engine.AnalyzeVideoAsync(SharedData.DataPath(video.Split('/')))) rows.Add(row);

        Assert.Equal(reference.Rows.Count, rows.Count);
        Assert.Equal(Enumerable.Range(1, rows.Count), rows.Select(r => r.Frame));
        var agreement = Agreement.Compute(rows, reference, engine.IntensityNames, engine.PresenceNames);
        output.WriteLine(agreement.Describe());
        Assert.True(agreement.MeanPearson >= 0.97, agreement.Describe());
        Assert.True(agreement.PresenceAgreement >= 0.97, agreement.Describe());
    }
}
