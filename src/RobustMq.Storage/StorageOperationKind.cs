namespace RobustMq.Storage;

/// <summary>What a <see cref="StorageOperation"/> does.</summary>
public enum StorageOperationKind : byte
{
    Append = 1,
    Commit = 2,
    TrimBefore = 3,
    DeleteShard = 4,
    Put = 5,
    Delete = 6,
}
