using System.Diagnostics;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using MerFactory.AuEngine.Models;
using OpenCvSharp;

namespace MerFactory.AuEngine.Landmarks;

/// <summary>
/// dlib's ensemble-of-regression-trees shape predictor (Kazemi &amp; Sullivan), read from a dlib <c>.dat</c> file
/// (e.g. Debian's <c>shape_predictor_68_face_landmarks.dat</c>) and evaluated exactly as
/// <c>dlib::shape_predictor::operator()</c> does: float shape and features, a double-precision similarity
/// transform from the mean shape to the current shape, pixels rounded half-up, out-of-image pixels read as 0,
/// RGB turned into gray as the integer mean (r+g+b)/3.
/// Immutable after loading and thread-safe; <see cref="Predict(Mat, Rect2f)"/> allocates only its result.
/// </summary>
public sealed partial class ShapePredictor
{
    // Sanity limits so a garbage file fails fast instead of asking for gigabytes.
    private const int MaxParts = 1000;
    private const int MaxCascades = 1000;
    private const int MaxTreesPerCascade = 100_000;
    private const int MaxSplitsPerTree = 1 << 16;
    private const int MaxFeaturePixels = 100_000;
    private const int StackFeatureLimit = 4096;

    private readonly float[] initialShape;
    private readonly Cascade[] cascades;
    private readonly int maxFeaturePixels;

    // The "from" side of the similarity transform never changes: the mean shape, centred, and its spread.
    private readonly double[] initialCentred;
    private readonly double initialSpread;

    private ShapePredictor(float[] initialShape, Cascade[] cascades)
    {
        this.initialShape = initialShape;
        this.cascades = cascades;
        maxFeaturePixels = cascades.Length == 0 ? 0 : cascades.Max(c => c.AnchorIndex.Length);
        initialCentred = new double[initialShape.Length];
        initialSpread = CentreShape(initialShape, initialCentred);
    }

    /// <summary>Number of landmarks (68 for the iBUG 300-W model).</summary>
    public int PartCount => initialShape.Length / 2;

    /// <summary>Number of cascade stages.</summary>
    public int CascadeCount => cascades.Length;

    /// <summary>Trees per cascade stage (of the first stage).</summary>
    public int TreesPerCascade => cascades.Length == 0 ? 0 : cascades[0].Forest.TreeCount;

    /// <summary>Mean shape in face-box coordinates, (x0, y0, x1, y1, ...), where (0,0) is the box's top-left and (1,1) its bottom-right.</summary>
    public ReadOnlySpan<float> MeanShape => initialShape;

    /// <summary>Loads a dlib shape_predictor file. Throws <see cref="ModelNotFoundException"/> if it is missing and <see cref="CorruptModelException"/> if it cannot be parsed.</summary>
    public static ShapePredictor Load(string path)
    {
        if (!File.Exists(path)) throw new ModelNotFoundException("dlib 68-point landmark model", path);
        var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1, FileOptions.SequentialScan);
        using var reader = new DlibStreamReader(stream, path);
        return Read(reader);
    }

    /// <summary>Loads a dlib shape_predictor from a stream; <paramref name="sourceName"/> names it in error messages.</summary>
    public static ShapePredictor Load(Stream stream, string sourceName)
    {
        using var reader = new DlibStreamReader(stream, sourceName);
        return Read(reader);
    }

    private static ShapePredictor Read(DlibStreamReader reader)
    {
        var version = reader.ReadSignedInteger("version");
        if (version != 1) throw reader.Corrupt($"unsupported shape_predictor version {version} (expected 1)");

        var shapeLength = reader.ReadColumnVectorLength("initial_shape", 2 * MaxParts);
        if (shapeLength == 0 || shapeLength % 2 != 0) throw reader.Corrupt($"initial_shape has {shapeLength} values; expected an even, non-zero count");
        var initialShape = new float[shapeLength];
        for (var i = 0; i < shapeLength; i++) initialShape[i] = reader.ReadSingle("initial_shape");

        var cascadeCount = reader.ReadCount("number of cascades", MaxCascades);
        var forests = new Forest[cascadeCount];
        for (var c = 0; c < cascadeCount; c++) forests[c] = ReadForest(reader, c, shapeLength);

        var anchorCascades = reader.ReadCount("anchor_idx cascade count", MaxCascades);
        if (anchorCascades != cascadeCount) throw reader.Corrupt($"{anchorCascades} anchor lists for {cascadeCount} cascades");
        var anchors = new int[cascadeCount][];
        for (var c = 0; c < cascadeCount; c++)
        {
            var count = reader.ReadCount("anchor_idx length", MaxFeaturePixels);
            var list = new int[count];
            for (var i = 0; i < count; i++)
            {
                list[i] = reader.ReadCount("anchor index", int.MaxValue);
                if (list[i] >= shapeLength / 2) throw reader.Corrupt($"anchor index {list[i]} is not a landmark (model has {shapeLength / 2})");
            }

            anchors[c] = list;
        }

        var deltaCascades = reader.ReadCount("deltas cascade count", MaxCascades);
        if (deltaCascades != cascadeCount) throw reader.Corrupt($"{deltaCascades} delta lists for {cascadeCount} cascades");
        var cascades = new Cascade[cascadeCount];
        for (var c = 0; c < cascadeCount; c++)
        {
            var count = reader.ReadCount("deltas length", MaxFeaturePixels);
            if (count != anchors[c].Length) throw reader.Corrupt($"cascade {c} has {count} deltas but {anchors[c].Length} anchors");
            var dx = new float[count];
            var dy = new float[count];
            for (var i = 0; i < count; i++)
            {
                dx[i] = reader.ReadSingle("delta x");
                dy[i] = reader.ReadSingle("delta y");
            }

            var forest = forests[c];
            // Checked once here so the evaluation loop can index without bounds checks.
            foreach (var split in forest.Splits)
            {
                if (split.Pixel1 >= count || split.Pixel2 >= count)
                    throw reader.Corrupt($"cascade {c} splits on feature pixel {Math.Max(split.Pixel1, split.Pixel2)} of {count}");
            }
            cascades[c] = new Cascade(forest, anchors[c], dx, dy);
        }

        if (!reader.AtEnd) throw reader.Corrupt("unexpected data after the model");
        return new ShapePredictor(initialShape, cascades);
    }

    private static Forest ReadForest(DlibStreamReader reader, int cascade, int shapeLength)
    {
        var treeCount = reader.ReadCount("number of trees", MaxTreesPerCascade);
        int splitsPerTree = -1;
        SplitNode[] splits = [];
        float[] leaves = [];
        for (var t = 0; t < treeCount; t++)
        {
            var splitCount = reader.ReadCount("number of splits", MaxSplitsPerTree);
            if (t == 0)
            {
                // dlib's trainer grows every tree to the same depth, so one stride per cascade suffices.
                splitsPerTree = splitCount;
                splits = new SplitNode[treeCount * splitCount];
                leaves = new float[(long)treeCount * (splitCount + 1) * shapeLength is var n && n <= Array.MaxLength ? (int)n : throw reader.Corrupt("model too large")];
            }
            else if (splitCount != splitsPerTree)
            {
                throw reader.Corrupt($"cascade {cascade} tree {t} has {splitCount} splits, tree 0 has {splitsPerTree} (trees of unequal depth are not supported)");
            }

            for (var s = 0; s < splitCount; s++)
            {
                var pixel1 = reader.ReadCount("split idx1", MaxFeaturePixels);
                var pixel2 = reader.ReadCount("split idx2", MaxFeaturePixels);
                splits[t * splitCount + s] = new SplitNode(pixel1, pixel2, reader.ReadSingle("split threshold"));
            }

            var leafCount = reader.ReadCount("number of leaves", MaxSplitsPerTree + 1);
            if (leafCount != splitCount + 1) throw reader.Corrupt($"cascade {cascade} tree {t} has {leafCount} leaves for {splitCount} splits");
            var treeLeaves = leaves.AsSpan(t * leafCount * shapeLength, leafCount * shapeLength);
            for (var l = 0; l < leafCount; l++) reader.ReadFloatColumnVector("leaf value", treeLeaves.Slice(l * shapeLength, shapeLength));
        }

        return new Forest(treeCount, Math.Max(splitsPerTree, 0), splits, leaves);
    }

    /// <summary>
    /// Landmarks of the face in <paramref name="box"/>, in image pixels (unrounded; dlib itself rounds to whole pixels, see <see cref="RoundLikeDlib"/>).
    /// <paramref name="image"/> is 8-bit gray, BGR or BGRA. <paramref name="box"/> follows dlib's convention for a rectangle
    /// (left, top, right, bottom) with inclusive right/bottom: <c>Rect2f(left, top, right - left + 1, bottom - top + 1)</c>.
    /// </summary>
    public Point2f[] Predict(Mat image, Rect2f box)
    {
        var result = new Point2f[PartCount];
        Predict(image, box, result);
        return result;
    }

    /// <summary>As <see cref="Predict(Mat, Rect2f)"/>, writing into <paramref name="destination"/> (length ≥ <see cref="PartCount"/>).</summary>
    public void Predict(Mat image, Rect2f box, Span<Point2f> destination)
    {
        ArgumentNullException.ThrowIfNull(image);
        if (image.Empty()) throw new ArgumentException("Image is empty.", nameof(image));
        if (image.Depth() != MatType.CV_8U || image.Channels() is not (1 or 3 or 4))
            throw new ArgumentException($"Expected an 8-bit gray, BGR or BGRA image, got {image.Type()}.", nameof(image));

        // AsSpan needs continuous memory; an ROI view is copied once (rare: decoders hand out whole frames).
        var continuous = image.IsContinuous() ? image : image.Clone();
        try
        {
            var pixels = continuous.AsSpan<byte>();
            var view = new ImageView(pixels, continuous.Cols, continuous.Rows, (int)continuous.Step(), continuous.Channels());
            Predict(view, box, destination);
        }
        finally
        {
            if (!ReferenceEquals(continuous, image)) continuous.Dispose();
        }
    }

    /// <summary>Landmarks from raw 8-bit pixels (1, 3 or 4 interleaved channels; <paramref name="stride"/> bytes per row).</summary>
    public void Predict(ReadOnlySpan<byte> pixels, int width, int height, int stride, int channels, Rect2f box, Span<Point2f> destination)
    {
        if (channels is not (1 or 3 or 4)) throw new ArgumentOutOfRangeException(nameof(channels), channels, "Expected 1, 3 or 4 channels.");
        if (width <= 0 || height <= 0 || stride < width * channels || pixels.Length < (long)stride * (height - 1) + width * channels)
            throw new ArgumentException($"Pixel buffer of {pixels.Length} bytes does not hold a {width}x{height}x{channels} image with stride {stride}.", nameof(pixels));
        Predict(new ImageView(pixels, width, height, stride, channels), box, destination);
    }

    private void Predict(in ImageView image, Rect2f box, Span<Point2f> destination)
    {
        if (destination.Length < PartCount) throw new ArgumentException($"Destination holds {destination.Length} points; {PartCount} needed.", nameof(destination));
        if (!(box.Width > 0 && box.Height > 0) || !float.IsFinite(box.X) || !float.IsFinite(box.Y))
            throw new ArgumentException($"Face box {box} must have a positive, finite size.", nameof(box));

        // dlib's unnormalizing transform maps (0,0) to the box's top-left and (1,1) to its inclusive bottom-right.
        double left = box.X, top = box.Y;
        double spanX = box.Width - 1.0, spanY = box.Height - 1.0;

        Span<float> shape = stackalloc float[initialShape.Length];
        initialShape.CopyTo(shape);
        float[]? rented = null;
        Span<float> features = maxFeaturePixels <= StackFeatureLimit
            ? stackalloc float[StackFeatureLimit]
            : (rented = System.Buffers.ArrayPool<float>.Shared.Rent(maxFeaturePixels));
        try
        {
            foreach (var cascade in cascades)
            {
                SimilarityTo(shape, out var a00, out var a01, out var a10, out var a11);
                ExtractFeatures(image, cascade, shape, a00, a01, a10, a11, left, top, spanX, spanY, features);
                cascade.Forest.Apply(features, shape);
            }
        }
        finally
        {
            if (rented is not null) System.Buffers.ArrayPool<float>.Shared.Return(rented);
        }

        for (var i = 0; i < PartCount; i++)
            destination[i] = new Point2f((float)(spanX * shape[2 * i] + left), (float)(spanY * shape[2 * i + 1] + top));
    }

    /// <summary>Rounds a point as dlib does when it turns its double result into integer pixels: floor(v + 0.5).</summary>
    public static Point RoundLikeDlib(Point2f p) => new((int)Math.Floor(p.X + 0.5), (int)Math.Floor(p.Y + 0.5));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void ExtractFeatures(in ImageView image, Cascade cascade, ReadOnlySpan<float> shape,
        float a00, float a01, float a10, float a11, double left, double top, double spanX, double spanY, Span<float> features)
    {
        var anchors = cascade.AnchorIndex;
        var deltaX = cascade.DeltaX;
        var deltaY = cascade.DeltaY;
        for (var i = 0; i < anchors.Length; i++)
        {
            var anchor = anchors[i] * 2;
            float dx = deltaX[i], dy = deltaY[i];
            // Float arithmetic in dlib's order: (tform * delta) + anchor location.
            var u = a00 * dx + a01 * dy + shape[anchor];
            var v = a10 * dx + a11 * dy + shape[anchor + 1];
            var x = Math.Floor(spanX * u + left + 0.5);
            var y = Math.Floor(spanY * v + top + 0.5);
            features[i] = x >= 0 && y >= 0 && x < image.Width && y < image.Height ? image.Gray((int)x, (int)y) : 0f;
        }
    }

    /// <summary>
    /// The 2x2 part of dlib's find_similarity_transform (Umeyama) from the mean shape to <paramref name="shape"/>,
    /// in closed form: for two dimensions the SVD solution reduces to a scaled rotation (or, when the
    /// cross-covariance has a negative determinant, a scaled reflection), computed in double and cast to float as dlib does.
    /// </summary>
    private void SimilarityTo(ReadOnlySpan<float> shape, out float a00, out float a01, out float a10, out float a11)
    {
        var n = shape.Length / 2;
        double meanX = 0, meanY = 0;
        for (var i = 0; i < n; i++)
        {
            meanX += shape[2 * i];
            meanY += shape[2 * i + 1];
        }

        meanX /= n;
        meanY /= n;
        double cxx = 0, cxy = 0, cyx = 0, cyy = 0;
        var from = initialCentred;
        for (var i = 0; i < n; i++)
        {
            var tx = shape[2 * i] - meanX;
            var ty = shape[2 * i + 1] - meanY;
            double fx = from[2 * i], fy = from[2 * i + 1];
            cxx += tx * fx;
            cxy += tx * fy;
            cyx += ty * fx;
            cyy += ty * fy;
        }

        // Umeyama's covariance and spread are both divided by n; the n cancels in c = trace(DS)/sigma_from.
        var spread = initialSpread;
        if (spread == 0)
        {
            a00 = a11 = 1;
            a01 = a10 = 0;
            return;
        }

        if (cxx * cyy - cxy * cyx >= 0)
        {
            var cos = (cxx + cyy) / spread;
            var sin = (cyx - cxy) / spread;
            a00 = (float)cos;
            a01 = (float)-sin;
            a10 = (float)sin;
            a11 = (float)cos;
        }
        else
        {
            var p = (cxx - cyy) / spread;
            var q = (cxy + cyx) / spread;
            a00 = (float)p;
            a01 = (float)q;
            a10 = (float)q;
            a11 = (float)-p;
        }
    }

    /// <summary>Writes the shape minus its centroid into <paramref name="centred"/> and returns the sum of squared distances to the centroid.</summary>
    private static double CentreShape(ReadOnlySpan<float> shape, Span<double> centred)
    {
        var n = shape.Length / 2;
        double meanX = 0, meanY = 0;
        for (var i = 0; i < n; i++)
        {
            meanX += shape[2 * i];
            meanY += shape[2 * i + 1];
        }

        meanX /= n;
        meanY /= n;
        double spread = 0;
        for (var i = 0; i < n; i++)
        {
            centred[2 * i] = shape[2 * i] - meanX;
            centred[2 * i + 1] = shape[2 * i + 1] - meanY;
            spread += centred[2 * i] * centred[2 * i] + centred[2 * i + 1] * centred[2 * i + 1];
        }

        return spread;
    }

    private readonly ref struct ImageView(ReadOnlySpan<byte> pixels, int width, int height, int stride, int channels)
    {
        private readonly ReadOnlySpan<byte> pixels = pixels;
        public readonly int Width = width;
        public readonly int Height = height;

        /// <summary>dlib's get_pixel_intensity: the pixel itself for gray, the integer mean (r+g+b)/3 for colour (alpha ignored).</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public float Gray(int x, int y)
        {
            var at = y * stride + x * channels;
            if (channels == 1) return pixels[at];
            return (pixels[at] + pixels[at + 1] + pixels[at + 2]) / 3;
        }
    }

    private sealed record Cascade(Forest Forest, int[] AnchorIndex, float[] DeltaX, float[] DeltaY);

    /// <summary>A tree node: go left when feature[Pixel1] − feature[Pixel2] &gt; Threshold. Kept together so a node is one memory access.</summary>
    private readonly record struct SplitNode(int Pixel1, int Pixel2, float Threshold);

    /// <summary>One cascade's trees, flattened: tree t's splits at [t·S, (t+1)·S), its leaves at [t·(S+1)·P2, ...) with P2 = 2·parts.</summary>
    private sealed class Forest(int treeCount, int splitsPerTree, SplitNode[] splits, ReadOnlyMemory<float> leaves)
    {
        public int TreeCount => treeCount;

        public int SplitsPerTree => splitsPerTree;

        public SplitNode[] Splits => splits;

        /// <summary>The leaf table: an array when parsed from dlib's file, left in the mapped compiled model otherwise.</summary>
        public ReadOnlyMemory<float> Leaves => leaves;

        /// <summary>
        /// Walks every tree and adds its leaf to the shape. Indices were validated at load time and
        /// <paramref name="features"/> holds at least this cascade's pixels, so the loop reads through refs without bounds checks.
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public void Apply(ReadOnlySpan<float> features, Span<float> shape)
        {
            var shapeLength = shape.Length;
            var leafStride = (splitsPerTree + 1) * shapeLength;
            ref readonly var feature = ref MemoryMarshal.GetReference(features);
            ref var node0 = ref MemoryMarshal.GetArrayDataReference(splits);
            ref var leaf0 = ref MemoryMarshal.GetReference(leaves.Span);
            ref var target = ref MemoryMarshal.GetReference(shape);
            for (var t = 0; t < treeCount; t++)
            {
                ref var treeNodes = ref Unsafe.Add(ref node0, t * splitsPerTree);
                var node = 0;
                while (node < splitsPerTree)
                {
                    ref readonly var split = ref Unsafe.Add(ref treeNodes, node);
                    // Same float subtraction and comparison as dlib's regression_tree::operator().
                    node = Unsafe.Add(ref Unsafe.AsRef(in feature), split.Pixel1) - Unsafe.Add(ref Unsafe.AsRef(in feature), split.Pixel2) > split.Threshold
                        ? 2 * node + 1
                        : 2 * node + 2;
                }

                AddInPlace(ref target, ref Unsafe.Add(ref leaf0, t * leafStride + (node - splitsPerTree) * shapeLength), shapeLength);
            }
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static void AddInPlace(ref float target, ref float addend, int length)
        {
            // Element-wise float adds: SIMD gives bit-identical results to dlib's scalar loop.
            var i = 0;
            if (Vector.IsHardwareAccelerated)
            {
                for (; i <= length - Vector<float>.Count; i += Vector<float>.Count)
                {
                    var sum = Vector.LoadUnsafe(ref target, (nuint)i) + Vector.LoadUnsafe(ref addend, (nuint)i);
                    sum.StoreUnsafe(ref target, (nuint)i);
                }
            }

            for (; i < length; i++) Unsafe.Add(ref target, i) += Unsafe.Add(ref addend, i);
        }
    }
}
