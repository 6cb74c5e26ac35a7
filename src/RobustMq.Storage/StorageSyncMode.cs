namespace RobustMq.Storage;

/// <summary>
/// What a completed write survives (<c>Storage:Sync</c>). Always: a crash of the process or the
/// machine (fsync before the write completes, shared by a group of writes). Periodic: a crash of the
/// process; the machine's crash may lose the last <see cref="StorageSync.Interval"/>. None: a
/// crash of the process (the OS writes back when it likes). Volatile: nothing (the Memory backend).
/// </summary>
public enum StorageSyncMode
{
    Always,
    Periodic,
    None,
    Volatile,
}
