namespace RobustMq.Storage;

/// <summary>A keyed value of a space.</summary>
public readonly record struct StoredEntry(string Key, byte[] Value);
