namespace RobustMq.Storage;

/// <summary>Why a storage operation failed; the broker maps it to a reason code (Full: 0x97 Quota exceeded, else 0x80).</summary>
public enum StorageErrorKind
{
    /// <summary>No space left (disk full, a database quota).</summary>
    Full,

    /// <summary>The store cannot be reached or refused the operation (I/O error, database down); may pass.</summary>
    Unavailable,

    /// <summary>Stored data failed its check (CRC, format); the engine recovers what is intact.</summary>
    Corrupt,

    /// <summary>The engine was disposed.</summary>
    Closed,
}
