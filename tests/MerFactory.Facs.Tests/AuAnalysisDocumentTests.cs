using System.Text;
using MerFactory.Facs.Analysis;
using MerFactory.Facs.Formatting;

namespace MerFactory.Facs.Tests;

public class AuAnalysisDocumentTests
{
    // json.dump(..., indent=4, ensure_ascii=False) output of MER-Factory's example (spec §7.2), as CPython writes it.
    private const string SpecExample = """
        {
            "source_path": "/content/OpenFace/samples/default.wmv",
            "chronological_emotion_peaks": [
                "Peak at 10.20s: disgust (slight)",
                "Peak at 11.73s: surprise (slight)",
                "Peak at 14.73s: surprise (slight)"
            ],
            "overall_peak_au_description": "Lips part (intensity: 1.94), Jaw drop (intensity: 2.08)"
        }
        """;

    [Fact]
    public void Serialises_exactly_as_mer_factory()
    {
        var document = new AuAnalysisDocument(
            "/content/OpenFace/samples/default.wmv",
            ["Peak at 10.20s: disgust (slight)", "Peak at 11.73s: surprise (slight)", "Peak at 14.73s: surprise (slight)"],
            "Lips part (intensity: 1.94), Jaw drop (intensity: 2.08)");
        Assert.Equal(SpecExample, document.ToJson());
    }

    [Fact]
    public void Reads_back_what_it_writes_including_non_ascii_paths()
    {
        var folder = Directory.CreateTempSubdirectory("facs-json-").FullName;
        try
        {
            var path = Path.Combine(folder, AuAnalysisDocument.FileName("片段01"));
            var document = new AuAnalysisDocument("/data/片段01.mp4", ["neutral"], AuDescriptions.NeutralAtOverallPeak);
            document.WriteFile(path);

            var bytes = File.ReadAllBytes(path);
            Assert.False(bytes.AsSpan().StartsWith(new byte[] { 0xEF, 0xBB, 0xBF })); // no BOM, as Python
            var text = Encoding.UTF8.GetString(bytes);
            Assert.Contains("\"source_path\": \"/data/片段01.mp4\"", text); // not \u-escaped
            Assert.EndsWith("}", text);

            var reread = AuAnalysisDocument.ReadFile(path);
            Assert.Equal(document.SourcePath, reread.SourcePath);
            Assert.Equal(document.ChronologicalEmotionPeaks, reread.ChronologicalEmotionPeaks);
            Assert.Equal(document.OverallPeakAuDescription, reread.OverallPeakAuDescription);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public void Missing_key_is_reported_with_the_source()
    {
        var error = Assert.Throws<System.Text.Json.JsonException>(() => AuAnalysisDocument.Parse("""{"source_path": "a"}""", "x_au_analysis.json"));
        Assert.Contains("x_au_analysis.json", error.Message);
    }

    [Fact]
    public void Overall_peak_frame_info_has_mer_factorys_shape()
    {
        var info = new OverallPeakFrameInfo(87, 88, 3.48, [new("AU06_r", 1.45), new("AU07_r", 2.0)]);
        const string expected = """
            {
                "frame_number": 88,
                "timestamp": 3.48,
                "top_aus_intensities": {
                    "AU06_r": 1.45,
                    "AU07_r": 2.0
                }
            }
            """;
        Assert.Equal(expected, PythonJson.Serialize(info.ToPythonJson()));
        Assert.Equal("""
            {
                "frame_number": 1,
                "timestamp": 0.0,
                "top_aus_intensities": {}
            }
            """, PythonJson.Serialize(new OverallPeakFrameInfo(0, 1, 0, []).ToPythonJson()));
    }

    [Fact]
    public void Python_json_escapes_only_what_python_escapes()
    {
        var value = new PythonJsonObject { { "q", "a\"b\\c\nd\t\u0001\u2028é" }, { "x", Array.Empty<string>() }, { "n", null }, { "b", true } };
        const string expected = "{\n    \"q\": \"a\\\"b\\\\c\\nd\\t\\u0001\u2028é\",\n    \"x\": [],\n    \"n\": null,\n    \"b\": true\n}";
        Assert.Equal(expected, PythonJson.Serialize(value));
    }
}
