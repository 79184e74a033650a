using MerFactory.AuEngine.Models;

namespace MerFactory.AuEngine.Tests;

/// <summary>
/// Large tables of a compiled model stay in the file's mapping (no copy into fresh memory): they must read the values
/// written, outlive the read that handed them out and the collections after it, and nothing may stay mapped when no
/// table was kept.
/// </summary>
public sealed class MappedModelTablesTests : IDisposable
{
    private readonly DirectoryInfo _work = Directory.CreateTempSubdirectory("mapped-tables");

    [Fact]
    public void A_table_read_in_place_holds_the_written_values_after_the_read_and_after_collections()
    {
        var path = Path.Combine(_work.FullName, "table.mfmodel");
        var values = Enumerable.Range(0, 100_003).Select(i => MathF.Sin(i) * 1000).ToArray();
        CompiledModelFile.Write(path, "test-table", 1, [], w =>
        {
            w.Write("odd length string: the table after it is not 4-byte aligned");
            w.Write(values.AsSpan());
            w.Write(values.AsSpan(0, 10));
        });

        var (table, copy) = CompiledModelFile.Read(path, "test-table", 1, [], r =>
        {
            r.ReadString();
            return (r.ReadSinglesInPlace(), r.ReadSingles());
        });
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();

        // In place: the table is the mapping's memory, not an array it was copied into.
        Assert.False(System.Runtime.InteropServices.MemoryMarshal.TryGetArray(table, out _));
        Assert.Equal(values, table.ToArray());
        Assert.Equal(values[..10], copy);
        Assert.Equal(values[^1], table.Span[values.Length - 1]);
    }

    [Fact]
    public void A_damaged_table_is_refused_before_any_value_is_read_from_it()
    {
        var path = Path.Combine(_work.FullName, "table.mfmodel");
        CompiledModelFile.Write(path, "test-table", 1, [], w => w.Write(new float[] { 1, 2, 3 }.AsSpan()));
        var bytes = File.ReadAllBytes(path);
        bytes[^2] ^= 0x40;
        File.WriteAllBytes(path, bytes);

        Assert.Throws<CorruptModelException>(() => CompiledModelFile.Read(path, "test-table", 1, [], r => r.ReadSinglesInPlace()));
    }

    [Fact]
    public void A_length_beyond_the_file_is_refused_rather_than_mapped()
    {
        var path = Path.Combine(_work.FullName, "table.mfmodel");
        CompiledModelFile.Write(path, "test-table", 1, [], w => w.Write(int.MaxValue / 8));
        var error = Assert.Throws<CorruptModelException>(() => CompiledModelFile.Read(path, "test-table", 1, [], r => r.ReadSinglesInPlace()));
        Assert.Contains("implausible array length", error.Message);
    }

    [Fact]
    public void An_empty_compiled_file_is_corrupt_and_rebuilt_from_the_text()
    {
        var compiledPath = Path.Combine(_work.FullName, "empty.mfmodel");
        File.WriteAllBytes(compiledPath, []);
        Assert.Throws<CorruptModelException>(() => CompiledModelFile.Read(compiledPath, "test-table", 1, [], r => r.ReadSinglesInPlace()));
        // Finalizers of anything half-made by the failed read must not touch a mapping that was never taken.
        GC.Collect();
        GC.WaitForPendingFinalizers();

        var rebuilt = Landmarks.ShapePredictor.LoadCompiled(LandmarksTestData.DebianLandmarkModel, compiledPath);
        Assert.Equal(CompiledModelOutcome.Rebuilt, rebuilt.Outcome);
        Assert.Contains("empty", rebuilt.Reason);
    }

    public void Dispose() => _work.Delete(recursive: true);
}
