using System.Text;

namespace MerFactory.Speech.Tests;

/// <summary>
/// Writes a minimal random-weight multilingual Whisper model in whisper.cpp's ggml layout (f16 matrices and conv kernels, f32 vectors and positional embeddings, as whisper.cpp requires) so the
/// full Whisper.net path can run without a downloaded model. It recognises nothing meaningful: tests assert structure.
/// Layout (whisper.cpp whisper_model_load): magic, 11 int32 hyper-parameters, mel filters, vocabulary, then tensors
/// as {n_dims, name length, type, ne[n_dims], name, data}.
/// </summary>
internal static class TinyWhisperModel
{
    public const int Vocabulary = 51865; // multilingual: enables language detection
    public const int AudioContext = 1500; // 30 s window after the conv stride
    public const int State = 8;
    public const int Heads = 2;
    public const int Layers = 1;
    public const int TextContext = 448;
    public const int Mels = 80;
    private const int BaseTokens = 50257; // the rest (special, language and timestamp tokens) whisper.cpp derives itself

    public static void Write(string path, int seed = 7)
    {
        var random = new Random(seed);
        using var writer = new BinaryWriter(File.Create(path));
        writer.Write(0x67676d6cu);
        foreach (var value in new[] { Vocabulary, AudioContext, State, Heads, Layers, TextContext, State, Heads, Layers, Mels, 1 /* mostly f16 */ }) writer.Write(value);

        writer.Write(Mels);
        writer.Write(201); // n_fft / 2 + 1 bins
        for (var i = 0; i < Mels * 201; i++) writer.Write(1f / 201);

        writer.Write(BaseTokens);
        for (var t = 0; t < BaseTokens; t++)
        {
            // whisper.cpp looks up " ", " -" and " '" by text while suppressing blanks and non-speech tokens.
            var text = t switch { 0 => " ", 1 => " -", 2 => " '", _ => " w" + t.ToString(System.Globalization.CultureInfo.InvariantCulture) };
            var token = Encoding.UTF8.GetBytes(text);
            writer.Write((uint)token.Length);
            writer.Write(token);
        }

        void Tensor(string name, params int[] shape)
        {
            var nameBytes = Encoding.UTF8.GetBytes(name);
            writer.Write(shape.Length);
            writer.Write(nameBytes.Length);
            var isHalf = shape.Length >= 2 && shape[0] > 1 && shape[1] > 1 && !name.EndsWith("positional_embedding", StringComparison.Ordinal);
            writer.Write(isHalf ? 1 : 0); // GGML_TYPE_F16 or GGML_TYPE_F32
            foreach (var n in shape) writer.Write(n);
            writer.Write(nameBytes);
            var count = shape.Aggregate(1, (a, b) => a * b);
            var isNormWeight = name.EndsWith("ln.weight", StringComparison.Ordinal) || name.EndsWith("ln_post.weight", StringComparison.Ordinal);
            var isBias = name.EndsWith(".bias", StringComparison.Ordinal);
            for (var i = 0; i < count; i++)
            {
                var value = isNormWeight ? 1f : isBias ? 0f : (float)(random.NextDouble() - 0.5) * 0.1f;
                if (isHalf) writer.Write((Half)value);
                else writer.Write(value);
            }
        }

        const int s = State;
        Tensor("encoder.positional_embedding", s, AudioContext);
        Tensor("encoder.conv1.weight", 3, Mels, s);
        Tensor("encoder.conv1.bias", 1, s);
        Tensor("encoder.conv2.weight", 3, s, s);
        Tensor("encoder.conv2.bias", 1, s);
        Tensor("encoder.ln_post.weight", s);
        Tensor("encoder.ln_post.bias", s);
        Tensor("decoder.positional_embedding", s, TextContext);
        Tensor("decoder.token_embedding.weight", s, Vocabulary);
        Tensor("decoder.ln.weight", s);
        Tensor("decoder.ln.bias", s);
        foreach (var (prefix, attentions) in new[] { ("encoder.blocks.0", new[] { "attn" }), ("decoder.blocks.0", new[] { "attn", "cross_attn" }) })
        {
            Tensor($"{prefix}.mlp_ln.weight", s);
            Tensor($"{prefix}.mlp_ln.bias", s);
            Tensor($"{prefix}.mlp.0.weight", s, 4 * s);
            Tensor($"{prefix}.mlp.0.bias", 4 * s);
            Tensor($"{prefix}.mlp.2.weight", 4 * s, s);
            Tensor($"{prefix}.mlp.2.bias", s);
            foreach (var a in attentions)
            {
                Tensor($"{prefix}.{a}_ln.weight", s);
                Tensor($"{prefix}.{a}_ln.bias", s);
                Tensor($"{prefix}.{a}.query.weight", s, s);
                Tensor($"{prefix}.{a}.query.bias", s);
                Tensor($"{prefix}.{a}.key.weight", s, s);
                Tensor($"{prefix}.{a}.value.weight", s, s);
                Tensor($"{prefix}.{a}.value.bias", s);
                Tensor($"{prefix}.{a}.out.weight", s, s);
                Tensor($"{prefix}.{a}.out.bias", s);
            }
        }
    }
}
