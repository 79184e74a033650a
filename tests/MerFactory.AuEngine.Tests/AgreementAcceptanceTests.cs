using MerFactory.AuEngine.Pipeline;
using MerFactory.Testing;
using Xunit.Abstractions;

namespace MerFactory.AuEngine.Tests;

/// <summary>
/// Issue 19, acceptance 2: the default engine (our detector, CLNF landmarks) against OpenFace 2017's output on the
/// same clips, scored over the AUs that vary in OpenFace: mean Pearson r ≥ 0.95, no AU below 0.85, no AU of ours
/// constant where OpenFace's varies, AU_c agreement ≥ 95% of frame×AU cells.
/// </summary>
public class AgreementAcceptanceTests(ITestOutputHelper output, EngineFixture fixture) : IClassFixture<EngineFixture>
{
    [Theory]
    [InlineData("media/pyfeat/single_face.mp4", "single_face_openface2017.csv")]
    [InlineData("media/openface_samples/default.wmv", "default_openface2017.csv")]
    public async Task Default_engine_agrees_with_OpenFace(string video, string referenceName)
    {
        var agreement = await AgreementOf(fixture.Engine, video, referenceName);
        output.WriteLine($"{video} (CLNF): {agreement.Describe()}");
        Assert.True(agreement.MeanPearson >= 0.95, agreement.Describe());
        Assert.True(agreement.MinPearson >= 0.85, agreement.Describe());
        Assert.Empty(agreement.ConstantOnlyInOurs);
        Assert.True(agreement.PresenceAgreement >= 0.95, agreement.Describe());
    }

    /// <summary>The faster dlib landmarks (<c>--landmarks dlib</c>) keep their earlier, looser targets.</summary>
    [Theory]
    [InlineData("media/pyfeat/single_face.mp4", "single_face_openface2017.csv")]
    [InlineData("media/openface_samples/default.wmv", "default_openface2017.csv")]
    public async Task Dlib_landmarks_agree_with_OpenFace_more_loosely(string video, string referenceName)
    {
        using var engine = ActionUnitEngine.Create(EnginePipelineTests.Models(), new AuEngineOptions { MaxDegreeOfParallelism = 2, Landmarks = LandmarkMethod.Dlib });
        var agreement = await AgreementOf(engine, video, referenceName);
        output.WriteLine($"{video} (dlib): {agreement.Describe()}");
        Assert.True(agreement.MeanPearson >= 0.80, agreement.Describe());
        Assert.True(agreement.PresenceAgreement >= 0.90, agreement.Describe());
    }

    internal static async Task<Agreement> AgreementOf(ActionUnitEngine engine, string video, string referenceName)
    {
        var reference = new ReferenceCsv(SharedData.DataPath("reference", referenceName));
        var rows = new List<AuFrameResult>();
        await foreach (var row in engine.AnalyzeVideoAsync(SharedData.DataPath(video.Split('/')))) rows.Add(row);
        Assert.Equal(reference.Rows.Count, rows.Count);
        Assert.True(rows.Count(r => r.Success) >= 0.95 * rows.Count, $"faces found in {rows.Count(r => r.Success)} of {rows.Count} frames");
        return Agreement.Compute(rows, reference, engine.IntensityNames, engine.PresenceNames);
    }
}

/// <summary>
/// One engine (models loaded once) for the tests of a class, with the engine's default settings (CLNF landmarks,
/// 320-px detection, alignment on the fitted face-model shape), as users run it.
/// </summary>
public sealed class EngineFixture : IDisposable
{
    public ActionUnitEngine Engine { get; } = ActionUnitEngine.Create(EnginePipelineTests.Models(), new AuEngineOptions { MaxDegreeOfParallelism = 2 });

    public void Dispose() => Engine.Dispose();
}
