namespace MerFactory.Contracts;

/// <summary>A pointer to bytes in the object store; messages carry these, never the bytes themselves.</summary>
public sealed record ObjectReference(string Bucket, string Key, long Size, string Sha256, string? ContentType = null);
