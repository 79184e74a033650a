using MerFactory.AuEngine.Models;

namespace MerFactory.AuEngine.Landmarks;

/// <summary>The compiled form of the dlib model: its 100 MB of dlib serialisation take far longer to parse than to map.</summary>
public sealed partial class ShapePredictor
{
    public const string CompiledKind = "dlib-shape-predictor";
    public const int CompiledVersion = 1;

    /// <summary>
    /// Loads the model from its compiled form (memory-mapped), parsing <paramref name="path"/> and writing the compiled
    /// form at <paramref name="compiledPath"/> first when it is missing, corrupt or older than the model file.
    /// </summary>
    /// <exception cref="ModelNotFoundException">The model file is missing.</exception>
    public static CompiledModelResult<ShapePredictor> LoadCompiled(string path, string compiledPath)
    {
        if (!File.Exists(path)) throw new ModelNotFoundException("dlib 68-point landmark model", path);
        return CompiledModelCache.LoadOrCompile(
            new CompiledModelSpec<ShapePredictor>(CompiledKind, CompiledVersion, [path], () => Load(path), (m, w) => m.WriteTo(w), ReadFrom),
            compiledPath);
    }

    internal void WriteTo(ModelPackWriter writer)
    {
        writer.Write(initialShape);
        writer.Write(cascades.Length);
        foreach (var cascade in cascades)
        {
            writer.Write(cascade.Forest.TreeCount);
            writer.Write(cascade.Forest.SplitsPerTree);
            writer.WriteStructs<SplitNode>(cascade.Forest.Splits);
            writer.Write(cascade.Forest.Leaves.Span);
            writer.Write(cascade.AnchorIndex);
            writer.Write(cascade.DeltaX);
            writer.Write(cascade.DeltaY);
        }
    }

    internal static ShapePredictor ReadFrom(ModelPackReader reader)
    {
        var initialShape = reader.ReadSingles();
        if (initialShape.Length == 0 || initialShape.Length % 2 != 0) throw reader.Corrupt("bad initial shape");
        var cascades = new Cascade[reader.ReadCount(MaxCascades)];
        for (var c = 0; c < cascades.Length; c++)
        {
            var treeCount = reader.ReadCount(MaxTreesPerCascade);
            var splitsPerTree = reader.ReadCount(MaxSplitsPerTree);
            var splits = reader.ReadStructs<SplitNode>();
            var leaves = reader.ReadSinglesInPlace();
            var anchors = reader.ReadInt32s();
            var dx = reader.ReadSingles();
            var dy = reader.ReadSingles();
            // The checks the dlib reader makes, so the evaluation loop may index without bounds checks.
            if (splits.Length != treeCount * splitsPerTree || leaves.Length != (long)treeCount * (splitsPerTree + 1) * initialShape.Length
                || dx.Length != anchors.Length || dy.Length != anchors.Length
                || anchors.Any(a => a < 0 || a >= initialShape.Length / 2)
                || splits.Any(s => s.Pixel1 < 0 || s.Pixel2 < 0 || s.Pixel1 >= anchors.Length || s.Pixel2 >= anchors.Length))
                throw reader.Corrupt($"cascade {c} does not fit together");
            cascades[c] = new Cascade(new Forest(treeCount, splitsPerTree, splits, leaves), anchors, dx, dy);
        }
        return new ShapePredictor(initialShape, cascades);
    }
}
