using System.Text;

namespace MerFactory.Speech.Engines;

/// <summary>Hyper-parameters read from a ggml Whisper model header.</summary>
public sealed record WhisperModelInfo(
    int VocabularySize,
    int AudioContext,
    int State,
    int AudioHeads,
    int AudioLayers,
    int TextContext,
    int TextHeads,
    int TextLayers,
    int MelBands,
    int FileType,
    int TensorCount)
{
    public bool IsMultilingual => VocabularySize >= 51865;
}

/// <summary>
/// Walks a ggml Whisper model file (header, mel filters, vocabulary, every tensor header) without loading weights.
/// whisper.cpp aborts the whole process on some malformed files (GGML_ASSERT), so a truncated or corrupt download
/// must be caught here, with a message naming the file and the defect.
/// </summary>
public static class WhisperModelFile
{
    private const uint GgmlMagic = 0x67676d6c; // "ggml" as a little-endian uint32
    private const int QuantizationVersionFactor = 1000;

    // ggml_ftype values whisper.cpp maps to a weight type (4, 5 and 6 map to none).
    private static readonly HashSet<int> ValidFileTypes = [0, 1, 2, 3, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24];

    // ggml_type → (bytes per block, elements per block) for the types Whisper models use.
    private static readonly Dictionary<int, (int Bytes, int Elements)> TensorTypes = new()
    {
        [0] = (4, 1), [1] = (2, 1), [2] = (18, 32), [3] = (20, 32), [6] = (22, 32), [7] = (24, 32), [8] = (34, 32),
        [10] = (84, 256), [11] = (110, 256), [12] = (144, 256), [13] = (176, 256), [14] = (210, 256), [30] = (2, 1),
    };

    public static WhisperModelInfo Validate(string path)
    {
        var info = new FileInfo(path);
        if (!info.Exists) throw Invalid(path, "does not exist");
        if (info.Length < 48) throw Invalid(path, $"is truncated ({info.Length} bytes)");
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
        using var reader = new BinaryReader(stream, Encoding.UTF8, leaveOpen: true);
        try
        {
            return Read(path, stream, reader);
        }
        catch (EndOfStreamException)
        {
            throw Invalid(path, $"is truncated (ends at byte {stream.Length} inside a header)");
        }
    }

    private static WhisperModelInfo Read(string path, FileStream stream, BinaryReader reader)
    {
        var magic = reader.ReadUInt32();
        if (magic != GgmlMagic) throw Invalid(path, $"is not a ggml Whisper model (bad magic 0x{magic:x8})");

        var h = new int[11];
        for (var i = 0; i < h.Length; i++) h[i] = reader.ReadInt32();
        var (vocab, audioCtx, state, audioHeads, audioLayers, textCtx, textState, textHeads, textLayers, mels, fileType) =
            (h[0], h[1], h[2], h[3], h[4], h[5], h[6], h[7], h[8], h[9], h[10]);
        if (vocab is < 51864 or > 60000 || audioCtx is <= 0 or > 10000 || state is <= 0 or > 16384 || textCtx is <= 0 or > 10000 ||
            audioLayers is <= 0 or > 128 || textLayers is <= 0 or > 128 || audioHeads <= 0 || textHeads <= 0 || mels is not (80 or 128))
        {
            throw Invalid(path, $"has implausible hyper-parameters [{string.Join(", ", h)}]");
        }
        if (textState != state || state % audioHeads != 0 || state % textHeads != 0) throw Invalid(path, $"has inconsistent widths (audio {state}, text {textState}, heads {audioHeads}/{textHeads})");
        if (!ValidFileTypes.Contains(fileType % QuantizationVersionFactor)) throw Invalid(path, $"has an unknown weight type (ftype {fileType})");
        // An all-f32 model makes whisper.cpp keep the conv kernels in f32, which its CPU conv asserts against (abort).
        if (fileType % QuantizationVersionFactor == 0) throw Invalid(path, "is an all-f32 model, which this whisper.cpp build cannot run; use an f16 or quantised model");

        var melCount = reader.ReadInt32();
        var fftCount = reader.ReadInt32();
        if (melCount <= 0 || fftCount <= 0 || (long)melCount * fftCount > 1_000_000) throw Invalid(path, $"has a bad mel filter bank ({melCount}×{fftCount})");
        Skip(path, stream, (long)melCount * fftCount * sizeof(float), "mel filters");

        var tokens = reader.ReadInt32();
        if (tokens < 0 || tokens > vocab) throw Invalid(path, $"has a bad vocabulary size ({tokens})");
        for (var t = 0; t < tokens; t++)
        {
            var length = reader.ReadUInt32();
            if (length > 1024) throw Invalid(path, $"has a corrupt vocabulary (token {t} is {length} bytes long)");
            Skip(path, stream, length, "vocabulary");
        }

        var expected = ExpectedShapes(vocab, audioCtx, state, audioLayers, textCtx, textLayers, mels);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        while (stream.Position < stream.Length)
        {
            var dims = reader.ReadInt32();
            var nameLength = reader.ReadInt32();
            var type = reader.ReadInt32();
            if (dims is < 1 or > 4 || nameLength is < 1 or > 256) throw Invalid(path, $"has a corrupt tensor header at byte {stream.Position - 12}");
            if (!TensorTypes.TryGetValue(type, out var layout)) throw Invalid(path, $"uses an unsupported tensor type {type} at byte {stream.Position - 12}");
            var shape = new long[] { 1, 1, 1, 1 };
            for (var d = 0; d < dims; d++) shape[d] = reader.ReadInt32();
            var name = Encoding.UTF8.GetString(reader.ReadBytes(nameLength));
            if (!expected.TryGetValue(name, out var expectedShape)) throw Invalid(path, $"contains an unknown tensor '{name}'");
            if (shape[0] != expectedShape[0] || shape[1] != expectedShape[1] || shape[2] != expectedShape[2] || shape[3] != 1)
            {
                throw Invalid(path, $"has tensor '{name}' with shape [{string.Join(", ", shape[..dims])}], expected [{string.Join(", ", expectedShape)}]");
            }
            if (!seen.Add(name)) throw Invalid(path, $"contains tensor '{name}' twice");
            var mustBeF32 = expectedShape[1] == 1 || name.EndsWith("positional_embedding", StringComparison.Ordinal) || name.EndsWith(".bias", StringComparison.Ordinal);
            if (mustBeF32 && type != 0) throw Invalid(path, $"stores tensor '{name}' as type {type}, expected f32");
            if (name.StartsWith("encoder.conv", StringComparison.Ordinal) && name.EndsWith(".weight", StringComparison.Ordinal) && type != 1) throw Invalid(path, $"stores tensor '{name}' as type {type}, expected f16");
            var elements = shape[0] * shape[1] * shape[2];
            if (elements % layout.Elements != 0) throw Invalid(path, $"has tensor '{name}' not divisible into type-{type} blocks");
            Skip(path, stream, elements / layout.Elements * layout.Bytes, $"tensor '{name}'");
        }
        if (seen.Count != expected.Count)
        {
            var missing = expected.Keys.Where(k => !seen.Contains(k)).Take(3);
            throw Invalid(path, $"is incomplete: {expected.Count - seen.Count} of {expected.Count} tensors missing (e.g. {string.Join(", ", missing)})");
        }
        return new WhisperModelInfo(vocab, audioCtx, state, audioHeads, audioLayers, textCtx, textHeads, textLayers, mels, fileType, seen.Count);
    }

    /// <summary>Tensor names and ggml shapes (ne0, ne1, ne2) whisper.cpp expects for these hyper-parameters.</summary>
    public static Dictionary<string, long[]> ExpectedShapes(int vocab, int audioCtx, int state, int audioLayers, int textCtx, int textLayers, int mels)
    {
        long s = state;
        var shapes = new Dictionary<string, long[]>(StringComparer.Ordinal)
        {
            ["encoder.positional_embedding"] = [s, audioCtx, 1],
            ["encoder.conv1.weight"] = [3, mels, s],
            ["encoder.conv1.bias"] = [1, s, 1],
            ["encoder.conv2.weight"] = [3, s, s],
            ["encoder.conv2.bias"] = [1, s, 1],
            ["encoder.ln_post.weight"] = [s, 1, 1],
            ["encoder.ln_post.bias"] = [s, 1, 1],
            ["decoder.positional_embedding"] = [s, textCtx, 1],
            ["decoder.token_embedding.weight"] = [s, vocab, 1],
            ["decoder.ln.weight"] = [s, 1, 1],
            ["decoder.ln.bias"] = [s, 1, 1],
        };
        void Block(string prefix, bool cross)
        {
            shapes[$"{prefix}.mlp_ln.weight"] = [s, 1, 1];
            shapes[$"{prefix}.mlp_ln.bias"] = [s, 1, 1];
            shapes[$"{prefix}.mlp.0.weight"] = [s, 4 * s, 1];
            shapes[$"{prefix}.mlp.0.bias"] = [4 * s, 1, 1];
            shapes[$"{prefix}.mlp.2.weight"] = [4 * s, s, 1];
            shapes[$"{prefix}.mlp.2.bias"] = [s, 1, 1];
            foreach (var attention in cross ? new[] { "attn", "cross_attn" } : ["attn"])
            {
                shapes[$"{prefix}.{attention}_ln.weight"] = [s, 1, 1];
                shapes[$"{prefix}.{attention}_ln.bias"] = [s, 1, 1];
                shapes[$"{prefix}.{attention}.query.weight"] = [s, s, 1];
                shapes[$"{prefix}.{attention}.query.bias"] = [s, 1, 1];
                shapes[$"{prefix}.{attention}.key.weight"] = [s, s, 1];
                shapes[$"{prefix}.{attention}.value.weight"] = [s, s, 1];
                shapes[$"{prefix}.{attention}.value.bias"] = [s, 1, 1];
                shapes[$"{prefix}.{attention}.out.weight"] = [s, s, 1];
                shapes[$"{prefix}.{attention}.out.bias"] = [s, 1, 1];
            }
        }
        for (var i = 0; i < audioLayers; i++) Block($"encoder.blocks.{i}", cross: false);
        for (var i = 0; i < textLayers; i++) Block($"decoder.blocks.{i}", cross: true);
        return shapes;
    }

    private static void Skip(string path, FileStream stream, long bytes, string what)
    {
        if (stream.Length - stream.Position < bytes) throw Invalid(path, $"is truncated inside the {what} ({stream.Length} bytes)");
        stream.Seek(bytes, SeekOrigin.Current);
    }

    private static SpeechModelException Invalid(string path, string defect) =>
        new($"Whisper model '{path}' {defect}. Reinstall it with `merfactory models install whisper-base`.");
}
