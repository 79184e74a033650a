using MerFactory.Export.Training;

namespace MerFactory.Export.Tests;

public sealed class OptionNamesTests
{
    [Theory]
    [InlineData("sharegpt", ExportFormat.ShareGpt)]
    [InlineData("Emotion-LLaMA", ExportFormat.EmotionLlama)]
    [InlineData("emotion-llama-fine", ExportFormat.EmotionLlamaFine)]
    public void Export_formats_parse_from_export_py_spellings(string text, ExportFormat expected)
    {
        Assert.Equal(expected, OptionNames.ParseExportFormat(text));
        Assert.Equal(text.ToLowerInvariant(), expected.Name());
    }

    [Fact]
    public void Unknown_values_list_the_valid_ones()
    {
        Assert.Contains("sharegpt, emotion-llama, emotion-llama-fine", Assert.Throws<ArgumentException>(() => OptionNames.ParseExportFormat("alpaca")).Message);
        Assert.Contains("llama_factory, ms_swift", Assert.Throws<ArgumentException>(() => OptionNames.ParseFramework("axolotl")).Message);
        Assert.Contains("au, image, mer, audio, video", Assert.Throws<ArgumentException>(() => ExportFileTypes.Parse("MERR")).Message);
        Assert.Equal(TrainingFramework.MsSwift, OptionNames.ParseFramework("ms-swift"));
        Assert.Equal(JsonFormat.Jsonl, OptionNames.ParseJsonFormat("JSONL"));
        Assert.Equal(ExportFileType.Mer, ExportFileTypes.Parse("MER"));
    }
}
