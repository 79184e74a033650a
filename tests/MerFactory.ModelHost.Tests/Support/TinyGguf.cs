using System.Globalization;
using System.Text;

namespace MerFactory.ModelHost.Tests.Support;

/// <summary>
/// Writes a tiny random-weight llama-architecture model in GGUF v3 (header, metadata key/values, tensor infos, 32-byte
/// aligned F32 tensor data) so real LLamaSharp loading and generation run without a downloaded model. The vocabulary is
/// SentencePiece-style: &lt;unk&gt;, &lt;s&gt;, &lt;/s&gt;, the 256 byte tokens and word pieces "▁w0".."▁wN". The output rows of
/// the special and byte tokens are zero so that greedy decoding emits readable word pieces, not an immediate end.
/// </summary>
public static class TinyGguf
{
    public const int Embedding = 64;
    public const int Layers = 2;
    public const int Heads = 4;
    public const int FeedForward = 128;
    public const int ContextLength = 512;
    public const int WordPieces = 200;
    private const int Alignment = 32;
    private const int ByteTokenStart = 3;
    private const int FirstWordPiece = ByteTokenStart + 256;

    /// <summary>The word piece of token <paramref name="index"/>, as it appears in decoded text (without the leading space).</summary>
    public static string WordPiece(int index) => "w" + index.ToString(CultureInfo.InvariantCulture);

    public static string Write(string path, int seed = 11)
    {
        var tokens = new List<string> { "<unk>", "<s>", "</s>" };
        var types = new List<int> { 2, 3, 3 };
        for (var b = 0; b < 256; b++)
        {
            tokens.Add($"<0x{b:X2}>");
            types.Add(6);
        }
        for (var piece = 0; piece < WordPieces; piece++)
        {
            tokens.Add("\u2581" + WordPiece(piece));
            types.Add(1);
        }
        var vocab = tokens.Count;
        var scores = Enumerable.Range(0, vocab).Select(i => i < FirstWordPiece ? 0f : -(i - FirstWordPiece) / 10f).ToArray();

        var random = new Random(seed);
        var tensors = new List<(string Name, long[] Dims, float[] Data)>();
        void Add(string name, long[] dims, Func<int, float> value)
        {
            var count = (int)dims.Aggregate(1L, (a, d) => a * d);
            tensors.Add((name, dims, Enumerable.Range(0, count).Select(value).ToArray()));
        }
        float Noise(int _) => (float)(random.NextDouble() * 2 - 1) * 0.3f;

        Add("token_embd.weight", [Embedding, vocab], Noise);
        Add("output_norm.weight", [Embedding], _ => 1f);
        // Row t (ne[0] = Embedding values) gives token t's logit: zero for special and byte tokens.
        Add("output.weight", [Embedding, vocab], i => i / Embedding < FirstWordPiece ? 0f : Noise(i) * 3);
        for (var layer = 0; layer < Layers; layer++)
        {
            var p = $"blk.{layer}.";
            Add(p + "attn_norm.weight", [Embedding], _ => 1f);
            Add(p + "attn_q.weight", [Embedding, Embedding], Noise);
            Add(p + "attn_k.weight", [Embedding, Embedding], Noise);
            Add(p + "attn_v.weight", [Embedding, Embedding], Noise);
            Add(p + "attn_output.weight", [Embedding, Embedding], Noise);
            Add(p + "ffn_norm.weight", [Embedding], _ => 1f);
            Add(p + "ffn_gate.weight", [Embedding, FeedForward], Noise);
            Add(p + "ffn_up.weight", [Embedding, FeedForward], Noise);
            Add(p + "ffn_down.weight", [FeedForward, Embedding], Noise);
        }

        using var w = new BinaryWriter(File.Create(path));
        w.Write(0x46554747u); // "GGUF"
        w.Write(3u);
        w.Write((ulong)tensors.Count);
        var metadata = new List<Action>
        {
            () => Str("general.architecture", "llama"),
            () => Str("general.name", "merfactory-tiny-random"),
            () => U32("llama.context_length", ContextLength),
            () => U32("llama.embedding_length", Embedding),
            () => U32("llama.block_count", Layers),
            () => U32("llama.feed_forward_length", FeedForward),
            () => U32("llama.attention.head_count", Heads),
            () => U32("llama.attention.head_count_kv", Heads),
            () => U32("llama.rope.dimension_count", Embedding / Heads),
            () => F32("llama.attention.layer_norm_rms_epsilon", 1e-5f),
            () => Str("tokenizer.ggml.model", "llama"),
            () => StrArray("tokenizer.ggml.tokens", tokens),
            () => F32Array("tokenizer.ggml.scores", scores),
            () => I32Array("tokenizer.ggml.token_type", types),
            () => U32("tokenizer.ggml.unknown_token_id", 0),
            () => U32("tokenizer.ggml.bos_token_id", 1),
            () => U32("tokenizer.ggml.eos_token_id", 2),
            // llama.cpp recognises ChatML by this marker; real models carry their own template.
            () => Str("tokenizer.chat_template", "{% for m in messages %}<|im_start|>{{ m.role }}\n{{ m.content }}<|im_end|>\n{% endfor %}<|im_start|>assistant\n"),
        };
        w.Write((ulong)metadata.Count);
        metadata.ForEach(m => m());

        ulong offset = 0;
        foreach (var (name, dims, data) in tensors)
        {
            String(name);
            w.Write((uint)dims.Length);
            foreach (var d in dims) w.Write((ulong)d);
            w.Write(0u); // GGML_TYPE_F32
            w.Write(offset);
            offset += Align((ulong)data.Length * 4);
        }
        Pad();
        foreach (var (_, _, data) in tensors)
        {
            foreach (var v in data) w.Write(v);
            Pad();
        }
        return path;

        void Pad()
        {
            while (w.BaseStream.Position % Alignment != 0) w.Write((byte)0);
        }
        void String(string s)
        {
            var bytes = Encoding.UTF8.GetBytes(s);
            w.Write((ulong)bytes.Length);
            w.Write(bytes);
        }
        void Key(string key, uint type)
        {
            String(key);
            w.Write(type);
        }
        void Str(string key, string value)
        {
            Key(key, 8);
            String(value);
        }
        void U32(string key, int value)
        {
            Key(key, 4);
            w.Write((uint)value);
        }
        void F32(string key, float value)
        {
            Key(key, 6);
            w.Write(value);
        }
        void StrArray(string key, List<string> values)
        {
            Key(key, 9);
            w.Write(8u);
            w.Write((ulong)values.Count);
            values.ForEach(String);
        }
        void F32Array(string key, float[] values)
        {
            Key(key, 9);
            w.Write(6u);
            w.Write((ulong)values.Length);
            foreach (var v in values) w.Write(v);
        }
        void I32Array(string key, List<int> values)
        {
            Key(key, 9);
            w.Write(5u);
            w.Write((ulong)values.Count);
            values.ForEach(w.Write);
        }
    }

    private static ulong Align(ulong size) => (size + Alignment - 1) / Alignment * Alignment;
}
