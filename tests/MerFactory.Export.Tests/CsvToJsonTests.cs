using static MerFactory.Export.Tests.ExportTestHelpers;

namespace MerFactory.Export.Tests;

/// <summary>Mode 2 (CSV → training files) must give byte-for-byte what the direct export gives.</summary>
public sealed class CsvToJsonTests : IDisposable
{
    private readonly TempDirectory _temp = new();
    private readonly string _root;

    public CsvToJsonTests()
    {
        _root = _temp.Combine("OUT");
        MerOutputFixture.WriteAll(_root);
        // Awkward text for the CSV round trip: quotes, commas, CRLF, tabs, leading '=' and non-ASCII.
        var folder = MerOutputFixture.Folder(_root, "odd [take 1] ü");
        File.WriteAllText(Path.Combine(folder, "odd [take 1] ü_merr_data.json"), """
            {
                "source_path": "/data/video/odd [take 1] ü.mp4",
                "audio_path": "/out/odd [take 1] ü/odd [take 1] ü.wav",
                "chronological_emotion_peaks": ["Peak at 0.40s: sad (strong), \"quoted\"", "neutral"],
                "overall_peak_frame_info": {"frame_number": 3, "timestamp": 0.1, "top_aus_intensities": {"AU01_r": 0.8000000000000003, "AU15_r": 3.25}},
                "coarse_descriptions_at_peak": {
                    "visual_expression": "Inner brow raiser (intensity: 0.80), Lip corner depressor (intensity: 3.25)",
                    "visual_objective": "=SUM(A1) \"not\" a formula,\tjust text\r\nnext line",
                    "audio_analysis": "",
                    "video_content": "😢 emoji and 中文"
                },
                "final_summary": "  Padded summary, with \"quotes\"; and commas.  ",
                "ground_truth_label": "Sadness"
            }
            """);
    }

    public void Dispose() => _temp.Dispose();

    public static TheoryData<ExportFileType, ExportFormat, JsonFormat> Cases()
    {
        var data = new TheoryData<ExportFileType, ExportFormat, JsonFormat>();
        foreach (var type in ExportFileTypes.All)
        {
            data.Add(type, ExportFormat.ShareGpt, JsonFormat.Json);
            data.Add(type, ExportFormat.ShareGpt, JsonFormat.Jsonl);
        }
        data.Add(ExportFileType.Mer, ExportFormat.EmotionLlama, JsonFormat.Json);
        data.Add(ExportFileType.Mer, ExportFormat.EmotionLlamaFine, JsonFormat.Json);
        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task Csv_to_json_equals_direct_json(ExportFileType type, ExportFormat format, JsonFormat json)
    {
        var direct = _temp.Combine($"direct-{type}-{format}-{json}");
        var viaCsv = _temp.Combine($"csv-{type}-{format}-{json}");
        var runner = new ExportRunner();

        var directResult = await ExportFolder(_root, type, direct, format, json, csv: true, seed: 7);
        var csvResult = await runner.RunAsync(new ExportOptions
        {
            InputCsv = Path.Combine(direct, $"{type.Name()}_export_data.csv"),
            ExportPath = viaCsv,
            ExportFormat = format,
            JsonFormat = json,
            Seed = 7,
        });

        var directFiles = directResult.Files.Where(f => f.Format != "csv").ToList();
        Assert.NotEmpty(directFiles);
        Assert.Equal(directFiles.Select(f => Path.GetFileName(f.Path)), csvResult.Files.Select(f => Path.GetFileName(f.Path)));
        foreach (var file in directFiles)
        {
            var other = Path.Combine(viaCsv, Path.GetFileName(file.Path));
            Assert.Equal(File.ReadAllText(file.Path), File.ReadAllText(other));
            Assert.True(new FileInfo(file.Path).Length > 2, $"{file.Path} is empty");
        }
        Assert.Equal(directResult.RecordsExported, csvResult.RecordsExported);
        Assert.Equal(type, csvResult.FileType);
        Assert.Equal(0, csvResult.RecordsSkipped);
    }

    [Fact]
    public async Task Csv_mode_reads_its_type_from_the_csv_and_refuses_a_contradicting_type()
    {
        var direct = _temp.Combine("direct");
        await ExportFolder(_root, ExportFileType.Video, direct, format: null, csv: true);
        var csv = Path.Combine(direct, "video_export_data.csv");

        var result = await new ExportRunner().RunAsync(new ExportOptions { InputCsv = csv });
        Assert.Equal(ExportFileType.Video, result.FileType);
        // Default export path in mode 2 is the CSV's folder.
        Assert.True(File.Exists(Path.Combine(direct, "video_sharegpt_export.json")));

        var error = await Assert.ThrowsAsync<ArgumentException>(() =>
            new ExportRunner().RunAsync(new ExportOptions { InputCsv = csv, FileType = ExportFileType.Mer }));
        Assert.Contains("holds 'video' records", error.Message);
    }

    [Fact]
    public async Task Csv_written_by_python_export_is_converted_with_reprs_parsed_and_newlines_restored()
    {
        // export.py's mer CSV: QUOTE_ALL, Python reprs, literal \n, no id/audio_path columns.
        var csv = _temp.Combine("mer_export_data.csv");
        File.WriteAllText(csv,
            "\"source_path\",\"chronological_emotion_peaks_list\",\"chronological_emotion_peaks\",\"visual_expression\",\"visual_objective\",\"audio_analysis\",\"video_content\",\"final_summary\",\"overall_peak_frame_info\",\"file_type\"\r\n"
            + "\"/data/video/sample_00000023.mp4\",\"['Peak at 2.88s: angry (slight), contempt (slight)', \"\"Peak at 4.00s: it's sad\"\"]\",\"Peak at 2.88s: angry (slight), contempt (slight); Peak at 4.00s: it's sad\","
            + "\"Cheek raiser (intensity: 1.45), Lid tightener (intensity: 2.78)\",\"A man.\",\"Hello.\\nSpeaker's tone: tense, loud.\",\"Two men.\",\"First line.\\nIn conclusion, anger.\","
            + "\"{'frame_number': 88, 'timestamp': 2.9, 'top_aus_intensities': {'AU06_r': 1.45, 'AU07_r': 2.78}}\",\"mer\"\r\n");

        var result = await new ExportRunner().RunAsync(new ExportOptions { InputCsv = csv, ExportFormat = ExportFormat.EmotionLlama });

        Assert.Equal(1, result.RecordsExported);
        Assert.Equal("sample_00000023 0 angry", File.ReadAllText(_temp.Combine("MERR_coarse_grained.txt")));
        AssertJsonEqual("""
            {"sample_00000023": {
                "AU_list": ["AU06", "AU07"],
                "visual_prior_list": ["Cheek raiser", "Lid tightener"],
                "audio_prior_list": ["tense", "loud"],
                "peak_index": "88",
                "peak_AU_list": ["AU06", "AU07"],
                "pseu_emotion": "angry",
                "caption": "First line.\nIn conclusion, anger."}}
            """, ParseFile(_temp.Combine("MERR_coarse_grained.json")));
    }
}
