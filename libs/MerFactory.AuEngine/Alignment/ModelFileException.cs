namespace MerFactory.AuEngine;

/// <summary>A model file is missing, truncated or not in the expected format.</summary>
public sealed class ModelFileException(string path, string reason, Exception? inner = null)
    : Exception($"AU model file '{path}': {reason}", inner)
{
    public string ModelPath { get; } = path;
    public string Reason { get; } = reason;
}
