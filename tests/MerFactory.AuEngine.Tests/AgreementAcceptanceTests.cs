using MerFactory.AuEngine.Detection;
using MerFactory.AuEngine.Pipeline;
using MerFactory.Testing;
using Xunit.Abstractions;

namespace MerFactory.AuEngine.Tests;

/// <summary>
/// Acceptance 3: the engine with its own detector and dlib landmarks against OpenFace 2017's output on the same clips.
/// Targets per clip: mean Pearson r over the 17 AU_r ≥ 0.85, AU12_r ≥ 0.9, AU_c agreement ≥ 90% of frame×AU cells.
/// </summary>
public class AgreementAcceptanceTests(ITestOutputHelper output, EngineFixture fixture) : IClassFixture<EngineFixture>
{
    [Theory]
    [InlineData("media/pyfeat/single_face.mp4", "single_face_openface2017.csv")]
    [InlineData("media/openface_samples/default.wmv", "default_openface2017.csv")]
    public async Task Agrees_with_OpenFace(string video, string referenceName)
    {
        var reference = new ReferenceCsv(SharedData.DataPath("reference", referenceName));
        var engine = fixture.Engine;
        var rows = new List<AuFrameResult>();
        await foreach (var row in engine.AnalyzeVideoAsync(SharedData.DataPath(video.Split('/')))) rows.Add(row);

        Assert.Equal(reference.Rows.Count, rows.Count);
        Assert.True(rows.Count(r => r.Success) >= 0.95 * rows.Count, $"faces found in {rows.Count(r => r.Success)} of {rows.Count} frames");
        var agreement = Agreement.Compute(rows, reference, engine.IntensityNames, engine.PresenceNames);
        output.WriteLine($"{video}: {agreement.Describe()}");
        Assert.True(agreement.MeanPearson >= 0.85, agreement.Describe());
        Assert.True(agreement["AU12"] >= 0.9, agreement.Describe());
        Assert.True(agreement.PresenceAgreement >= 0.90, agreement.Describe());
    }
}

/// <summary>
/// One engine (models loaded once) for the tests of a class, with the engine's default settings (320-px detection,
/// alignment on the fitted face-model shape), as users run it.
/// </summary>
public sealed class EngineFixture : IDisposable
{
    public ActionUnitEngine Engine { get; } = ActionUnitEngine.Create(EnginePipelineTests.Models(), new AuEngineOptions { MaxDegreeOfParallelism = 2 });

    public void Dispose() => Engine.Dispose();
}
