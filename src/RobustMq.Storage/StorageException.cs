namespace RobustMq.Storage;

/// <summary>A storage operation that failed; a write that throws this was not applied.</summary>
public sealed class StorageException : Exception
{
    public StorageException()
    {
    }

    public StorageException(string message)
        : base(message)
    {
    }

    public StorageException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public StorageException(StorageErrorKind kind, string message, Exception? innerException = null)
        : base(message, innerException)
    {
        Kind = kind;
    }

    public StorageErrorKind Kind { get; } = StorageErrorKind.Unavailable;
}
