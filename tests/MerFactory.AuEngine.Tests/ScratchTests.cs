using MerFactory.AuEngine.Pipeline;
using MerFactory.Testing;
using Xunit.Abstractions;

namespace MerFactory.AuEngine.Tests;

public class ScratchTests(ITestOutputHelper output)
{
    [Theory]
    [InlineData(1.0, 0.0)]
    [InlineData(0.9, 0.1)]
    [InlineData(1.1, 0.05)]
    public async Task Scratch_agreement(double scale, double dy)
    {
        foreach (var (video, referenceName) in new[] { ("media/pyfeat/single_face.mp4", "single_face_openface2017.csv"), ("media/openface_samples/default.wmv", "default_openface2017.csv") })
        {
            var reference = new ReferenceCsv(SharedData.DataPath("reference", referenceName));
            using var engine = ActionUnitEngine.Create(EnginePipelineTests.Options(), () => new ScratchYuNetSource(SharedData.DataPath("models", "face_detection_yunet_2026may.onnx"), LandmarksTestData.Predictor, scale, dy));
            var rows = new List<AuFrameResult>();
            await foreach (var row in engine.AnalyzeVideoAsync(SharedData.DataPath(video.Split('/')), new AuRunOptions { IncludeLandmarks = true })) rows.Add(row);
            var agreement = Agreement.Compute(rows, reference, engine.IntensityNames, engine.PresenceNames);
            // landmark error vs OpenFace, in % of inter-ocular distance
            var errs = new List<double>();
            foreach (var r in rows.Where(r => r.Success))
            {
                var refRow = r.Frame - 1;
                var lm = reference.Landmarks(refRow);
                var iod = Math.Sqrt(Math.Pow(lm[36] - lm[45], 2) + Math.Pow(lm[36 + 68] - lm[45 + 68], 2));
                for (var k = 0; k < 68; k++) errs.Add(Math.Sqrt(Math.Pow(r.Landmarks![k] - lm[k], 2) + Math.Pow(r.Landmarks[k + 68] - lm[k + 68], 2)) / iod);
            }
            output.WriteLine($"{scale} {dy} {video}: lm err {errs.Average():P2}; {agreement.Describe()}");
        }
    }
}
