namespace RobustMq.Storage.Segment;

/// <summary>
/// A write waiting for the Segment writer loop: a caller's batch, a checkpoint (<see cref="Ops"/> given, fsynced
/// whatever the sync mode), a barrier (neither, completed once every earlier write and the compaction after it are
/// done) or a periodic fsync tick (neither, no completion). The writer fills in the ops, the offsets and where the
/// record went, then completes <see cref="Completion"/>.
/// </summary>
internal sealed class PendingWrite
{
    private PendingWrite(StorageBatch? batch, List<LogOp>? ops, bool forceSync, bool completes)
    {
        Batch = batch;
        Ops = ops;
        ForceSync = forceSync;
        Completion = completes ? new TaskCompletionSource<StorageWriteResult>(TaskCreationOptions.RunContinuationsAsynchronously) : null;
    }

    /// <summary>Writes no record: the group it lands in is written after everything queued before it.</summary>
    public bool IsRecordless => Batch is null && Ops is null;

    public StorageBatch? Batch { get; }

    /// <summary>A caller's batch of about <paramref name="bytes"/> encoded bytes.</summary>
    public static PendingWrite ForBatch(StorageBatch batch, long bytes) => new(batch, null, forceSync: false, completes: true) { Bytes = bytes };

    public static PendingWrite ForCheckpoint(List<LogOp> ops) => new(null, ops, forceSync: true, completes: true);

    public static PendingWrite Barrier() => new(null, null, forceSync: false, completes: true);

    public static PendingWrite Tick() => new(null, null, forceSync: false, completes: false);

    /// <summary>The log ops of the record (from <see cref="Batch"/> once the writer assigned offsets).</summary>
    public List<LogOp>? Ops { get; set; }

    public bool ForceSync { get; }

    /// <summary>About how many bytes the record takes (bounds a group's buffer).</summary>
    public long Bytes { get; private init; }

    public bool IsTick => Completion is null;

    public TaskCompletionSource<StorageWriteResult>? Completion { get; }

    public long[] Offsets { get; set; } = [];

    public SegmentFile? File { get; set; }

    /// <summary>Byte position of the record in <see cref="File"/>.</summary>
    public long Position { get; set; }
}
