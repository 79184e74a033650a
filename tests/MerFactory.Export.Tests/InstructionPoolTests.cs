using MerFactory.Export.Writers;
using static MerFactory.Export.Tests.ExportTestHelpers;

namespace MerFactory.Export.Tests;

public sealed class InstructionPoolTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    private string WritePrompts(string json)
    {
        var path = _temp.Combine("prompts.json");
        File.WriteAllText(path, json);
        return path;
    }

    [Fact]
    public void Pools_come_from_user_questions_and_fall_back_to_the_built_in_pools()
    {
        var pools = InstructionPools.Load(WritePrompts("""
            {"user_questions": {"mer": ["A?", "B?", "C?", "D?"], "video": {"0": "Dashboard-saved?", "1": "Second?"}}}
            """));
        Assert.Equal(["A?", "B?", "C?", "D?"], pools.Pool(ExportFileType.Mer));
        Assert.Equal(["Dashboard-saved?", "Second?"], pools.Pool(ExportFileType.Video));
        // Types the file lacks keep MER-Factory's built-in pools (several questions each, not one fixed instruction).
        Assert.Equal(InstructionPools.BuiltIn.Pool(ExportFileType.Audio), pools.Pool(ExportFileType.Audio));
        Assert.True(InstructionPools.BuiltIn.Pool(ExportFileType.Audio).Count >= 3);

        var noQuestions = InstructionPools.Load(WritePrompts("""{"synthesis": {}}"""));
        Assert.Equal(InstructionPools.BuiltIn.Pool(ExportFileType.Mer), noQuestions.Pool(ExportFileType.Mer));
        Assert.Throws<InvalidDataException>(() => InstructionPools.Load(WritePrompts("""{"user_questions": ["flat list"]}""")));
    }

    [Fact]
    public void Built_in_pools_give_records_different_questions_reproducibly()
    {
        var ids = Enumerable.Range(0, 50).Select(i => $"clip_{i}").ToList();
        var first = ids.Select(id => InstructionPools.BuiltIn.Pick(ExportFileType.Mer, id, seed: 7)).ToList();
        Assert.Equal(first, ids.Select(id => InstructionPools.BuiltIn.Pick(ExportFileType.Mer, id, seed: 7)));
        Assert.Equal(InstructionPools.BuiltIn.Pool(ExportFileType.Mer).Count, first.Distinct().Count());
    }

    [Fact]
    public void Choice_is_reproducible_per_seed_uses_the_whole_pool_and_changes_with_the_seed()
    {
        var pools = InstructionPools.Load(WritePrompts("""{"user_questions": {"mer": ["A?", "B?", "C?", "D?"]}}"""));
        var ids = Enumerable.Range(0, 400).Select(i => $"sample_{i:00000000}").ToList();

        var first = ids.Select(id => pools.Pick(ExportFileType.Mer, id, seed: 1)).ToList();
        var again = ids.Select(id => pools.Pick(ExportFileType.Mer, id, seed: 1)).ToList();
        var otherSeed = ids.Select(id => pools.Pick(ExportFileType.Mer, id, seed: 2)).ToList();

        Assert.Equal(first, again);
        Assert.NotEqual(first, otherSeed);
        // Roughly uniform: each of 4 questions gets a fair share of 400 picks.
        Assert.All(first.GroupBy(q => q), g => Assert.InRange(g.Count(), 60, 140));
        Assert.Equal(4, first.Distinct().Count());
    }

    [Fact]
    public async Task Two_exports_with_the_same_seed_are_identical()
    {
        var root = _temp.Combine("OUT");
        for (var i = 0; i < 30; i++) MerOutputFixture.WriteVideo(root, $"clip{i:00}", $"/v/clip{i:00}.mp4");
        var prompts = WritePrompts("""{"user_questions": {"video": ["One?", "Two?", "Three?"]}}""");

        await ExportFolder(root, ExportFileType.Video, _temp.Combine("a"), promptFile: prompts, seed: 42);
        await ExportFolder(root, ExportFileType.Video, _temp.Combine("b"), promptFile: prompts, seed: 42);

        var a = File.ReadAllText(_temp.Combine("a", "video_sharegpt_export.json"));
        Assert.Equal(a, File.ReadAllText(_temp.Combine("b", "video_sharegpt_export.json")));
        Assert.Contains("One?", a);
        Assert.Contains("Three?", a);
    }
}
