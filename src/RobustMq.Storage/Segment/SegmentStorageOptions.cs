namespace RobustMq.Storage.Segment;

/// <summary>
/// Options of <see cref="SegmentStorageEngine"/>. The host is to fill them from <c>Storage:Path</c>, <c>Storage:Sync</c>
/// and <c>Storage:Segment:SegmentBytes</c> (not wired yet); <see cref="Validate"/> names those keys.
/// </summary>
public sealed class SegmentStorageOptions
{
    /// <summary>The default <see cref="SegmentBytes"/>: 64 MiB.</summary>
    public const long DefaultSegmentBytes = 64L * 1024 * 1024;

    /// <summary>The data directory; the log lives in its <c>wal/</c> folder (created when missing).</summary>
    public string Path { get; set; } = "./data";

    /// <summary>When a completed write is fsynced: Always (grouped), Periodic:N ms, or None (the OS decides).</summary>
    public StorageSync Sync { get; set; } = StorageSync.Always;

    /// <summary>
    /// Size in bytes at which a segment file is sealed and a new one started (a record larger than this gets a segment
    /// of its own). Whole segments are the unit of deletion; 4 KiB .. 1 GiB.
    /// </summary>
    public long SegmentBytes { get; set; } = DefaultSegmentBytes;

    /// <summary>Throws when an option is out of range.</summary>
    /// <exception cref="ArgumentException">The message names the option and the value.</exception>
    public void Validate()
    {
        if (string.IsNullOrWhiteSpace(Path))
        {
            throw new ArgumentException("Storage:Path must be set", nameof(Path));
        }

        ArgumentNullException.ThrowIfNull(Sync);
        if (Sync.Mode == StorageSyncMode.Volatile || (Sync.Mode == StorageSyncMode.Periodic && Sync.Interval <= TimeSpan.Zero))
        {
            throw new ArgumentException($"Storage:Sync must be Always, Periodic:N (N > 0) or None for the Segment backend (got {Sync})", nameof(Sync));
        }

        if (SegmentBytes is < 4096 or > 1L << 30)
        {
            throw new ArgumentException($"Storage:Segment:SegmentBytes must be 4096-1073741824 (got {SegmentBytes})", nameof(SegmentBytes));
        }
    }
}
