using RocksDbSharp;

namespace RobustMq.Storage.RocksDb;

/// <summary>Turns RocksDB's errors (text statuses such as <c>IO error: No space left on device</c>) into <see cref="StorageException"/> kinds.</summary>
internal static class RocksDbErrors
{
    /// <summary>The kind of a RocksDB status text: Full for no space, Corrupt for corruption, Unavailable otherwise.</summary>
    public static StorageErrorKind KindOf(string message)
    {
        if (message.Contains("No space left", StringComparison.OrdinalIgnoreCase)
            || message.Contains("NoSpace", StringComparison.OrdinalIgnoreCase)
            || message.Contains("quota", StringComparison.OrdinalIgnoreCase))
        {
            return StorageErrorKind.Full;
        }

        return message.StartsWith("Corruption", StringComparison.OrdinalIgnoreCase) ? StorageErrorKind.Corrupt : StorageErrorKind.Unavailable;
    }

    /// <summary>A failed write or read of the database at <paramref name="path"/>.</summary>
    public static StorageException Failed(string what, string path, Exception error) =>
        error as StorageException ?? new StorageException(KindOf(error.Message), $"RocksDB {what} at '{path}' failed: {error.Message}", error);

    /// <summary>
    /// A failed open. RocksDB locks the directory (file LOCK) for one open at a time, even within one process: that
    /// refusal becomes Unavailable with a message that says so.
    /// </summary>
    public static StorageException OpenFailed(string path, Exception error)
    {
        if (error is RocksDbException && (error.Message.Contains("LOCK", StringComparison.Ordinal) || error.Message.Contains("lock hold", StringComparison.OrdinalIgnoreCase)))
        {
            return new StorageException(StorageErrorKind.Unavailable, $"RocksDB database '{path}' is already open by this or another process: {error.Message}", error);
        }

        return error is RocksDbException or IOException or UnauthorizedAccessException
            ? new StorageException(KindOf(error.Message), $"RocksDB database '{path}' cannot be opened: {error.Message}", error)
            : error as StorageException ?? new StorageException(StorageErrorKind.Unavailable, $"RocksDB database '{path}' cannot be opened: {error.Message}", error);
    }

    public static StorageException Closed() => new(StorageErrorKind.Closed, "the storage engine is disposed");
}
