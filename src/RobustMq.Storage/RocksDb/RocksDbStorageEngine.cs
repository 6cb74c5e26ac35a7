using System.Collections.Concurrent;
using RocksDbSharp;

namespace RobustMq.Storage.RocksDb;

/// <summary>
/// The embedded durable backend (docs/storage.md, "RocksDB"): one RocksDB database per path with column families
/// <c>records</c>, <c>shards</c>, <c>commits</c> and one <c>space.&lt;name&gt;</c> per keyed space
/// (<see cref="RocksDbKeys"/>). Writes are group-committed by one committer thread: every batch queued while the
/// previous group was being written goes into the next RocksDB <see cref="WriteBatch"/> (atomic), written with one
/// fsync when <see cref="Sync"/> is Always. Offsets are given by the committer in queue order, so they follow the order
/// in which writes land. Reads go to RocksDB directly and see every completed write.
/// </summary>
/// <remarks>
/// One open per path: RocksDB locks the directory, and a second open (this process or another) throws
/// <see cref="StorageException"/> with <see cref="StorageErrorKind.Unavailable"/>. After <see cref="DisposeAsync"/>
/// every call throws <see cref="StorageErrorKind.Closed"/>; writes still queued then fail with Closed too.
/// A cancellation token is checked before a write is queued; once queued, a write lands or fails as a whole.
/// A group whose RocksDB write fails fails all of its waiters (Full for no space, else Unavailable) and leaves the
/// offsets as they are on disk.
/// </remarks>
public sealed partial class RocksDbStorageEngine : IStorageEngine
{
    private readonly string _path;
    private readonly DbOptions _dbOptions;
    private readonly ColumnFamilyOptions _familyOptions;
    private readonly WriteOptions _writeOptions;
    private readonly ReaderWriterLockSlim _gate = new(LockRecursionPolicy.NoRecursion);
    private readonly ConcurrentDictionary<string, ColumnFamilyHandle> _spaces = new(StringComparer.Ordinal);
    // A plain object, not System.Threading.Lock: the committer waits on it with Monitor.Wait.
    private readonly object _queueLock = new();
    private readonly Queue<RocksDbPending> _queue = new();
    private readonly TaskCompletionSource _committerDone = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _disposed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Timer? _walFlushTimer;
    private RocksDbSharp.RocksDb? _db;
    private bool _closing;
    private bool _paused;
    private int _disposeStarted;
    private long _groups;
    private long _walFlushFailures;

    /// <summary>Opens (or creates) the database at <see cref="RocksDbStorageOptions.Path"/> with every column family it has.</summary>
    /// <exception cref="ArgumentException">Sync is Volatile, or Path is empty.</exception>
    /// <exception cref="StorageException">
    /// The path is already open (Unavailable, the message names the path), or cannot be opened (Unavailable, Full, Corrupt).
    /// </exception>
    public RocksDbStorageEngine(RocksDbStorageOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentException.ThrowIfNullOrEmpty(options.Path);
        Sync = options.EffectiveSync;
        if (Sync.Mode == StorageSyncMode.Volatile)
        {
            throw new ArgumentException("RocksDB cannot be volatile: use Always, Periodic:N or None", nameof(options));
        }

        MaxGroupWrites = RocksDbStorageOptions.DefaultMaxGroupWrites;
        MaxGroupBytes = RocksDbStorageOptions.DefaultMaxGroupBytes;
        _path = System.IO.Path.GetFullPath(options.Path);
        // RocksDB's own LOG files rotate on every open; keep a few, not its default of 1,000.
        _dbOptions = new DbOptions().SetCreateIfMissing(true).SetCreateMissingColumnFamilies(true).SetKeepLogFileNum(5);
        _familyOptions = new ColumnFamilyOptions();
        _writeOptions = new WriteOptions().SetSync(Sync.Mode == StorageSyncMode.Always);
        _db = Open();
        _shardTable = new RocksDbShardTable(LoadBounds);
        new Thread(RunCommitter) { IsBackground = true, Name = "rocksdb-committer" }.Start();
        if (Sync.Mode == StorageSyncMode.Periodic)
        {
            _walFlushTimer = new Timer(FlushWal, null, Sync.Interval, Sync.Interval);
        }
    }

    public StorageSync Sync { get; }

    /// <summary>The directory of the database (full path).</summary>
    public string Path => _path;

    /// <summary>How many groups the committer has written (each one RocksDB write, one fsync when Sync is Always). For tests.</summary>
    internal long GroupCount => Interlocked.Read(ref _groups);

    /// <summary>How many periodic WAL fsyncs failed (Sync Periodic). For tests and diagnostics.</summary>
    internal long WalFlushFailures => Interlocked.Read(ref _walFlushFailures);

    internal int MaxGroupWrites { get; set; }

    internal long MaxGroupBytes { get; set; }

    /// <summary>Runs on the committer just before each RocksDB write; a throw fails the group as a write error would. For tests.</summary>
    internal Action? BeforeGroupWrite { get; set; }

    public ValueTask<StorageWriteResult> WriteAsync(StorageBatch batch, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(batch);
        cancellationToken.ThrowIfCancellationRequested();
        foreach (var op in batch.Operations)
        {
            if (!Enum.IsDefined(op.Kind))
            {
                throw new ArgumentOutOfRangeException(nameof(batch), op.Kind, "unknown storage operation");
            }
        }

        if (batch.IsEmpty)
        {
            ThrowIfClosing();
            return ValueTask.FromResult(StorageWriteResult.NoAppends);
        }

        return new ValueTask<StorageWriteResult>(Enqueue(RocksDbPending.Write(batch)));
    }

    public async ValueTask<long> ApplyRetentionAsync(string shard, RetentionPolicy policy, long nowUnixMs, CancellationToken cancellationToken = default)
    {
        StorageNames.CheckShard(shard);
        ArgumentNullException.ThrowIfNull(policy);
        cancellationToken.ThrowIfCancellationRequested();
        var result = await Enqueue(RocksDbPending.Retain(shard, policy, nowUnixMs)).ConfigureAwait(false);
        return result.Offsets[0];
    }

    /// <summary>
    /// Stops the committer (the group being written completes; writes still queued fail with Closed), stops the
    /// periodic WAL fsync, waits for running reads, and closes the database. Safe to call more than once.
    /// </summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposeStarted, 1) == 1)
        {
            await _disposed.Task.ConfigureAwait(false);
            return;
        }

        RocksDbPending[] refused;
        lock (_queueLock)
        {
            _closing = true;
            refused = [.. _queue];
            _queue.Clear();
            Monitor.PulseAll(_queueLock);
        }

        foreach (var pending in refused)
        {
            pending.Completion.TrySetException(RocksDbErrors.Closed());
        }

        await _committerDone.Task.ConfigureAwait(false);
        if (_walFlushTimer is not null)
        {
            await _walFlushTimer.DisposeAsync().ConfigureAwait(false);
        }

        _gate.EnterWriteLock();
        try
        {
            if (Sync.Mode == StorageSyncMode.Periodic && _db is not null)
            {
                // What was acknowledged since the last tick is fsynced before the close.
                FlushWalNow(_db);
            }

            _db?.Dispose();
            _db = null;
        }
        finally
        {
            _gate.ExitWriteLock();
        }

        _disposed.TrySetResult();
    }

    /// <summary>Holds (true) or releases (false) the committer before it takes its next group. For tests.</summary>
    internal void PauseCommitter(bool paused)
    {
        lock (_queueLock)
        {
            _paused = paused;
            Monitor.PulseAll(_queueLock);
        }
    }

    private Task<StorageWriteResult> Enqueue(RocksDbPending pending)
    {
        lock (_queueLock)
        {
            ThrowIfClosing();
            _queue.Enqueue(pending);
            if (_queue.Count == 1)
            {
                Monitor.Pulse(_queueLock);
            }
        }

        return pending.Completion.Task;
    }

    private void ThrowIfClosing()
    {
        if (Volatile.Read(ref _disposeStarted) == 1)
        {
            throw RocksDbErrors.Closed();
        }
    }

    private void FlushWal(object? state)
    {
        _gate.EnterReadLock();
        try
        {
            if (_db is not null)
            {
                FlushWalNow(_db);
            }
        }
        finally
        {
            _gate.ExitReadLock();
        }
    }

    private void FlushWalNow(RocksDbSharp.RocksDb db)
    {
        try
        {
            Native.Instance.rocksdb_flush_wal(db.Handle, 1);
        }
        catch (RocksDbException)
        {
            // Background loop boundary: the next tick tries again; the count shows it (no logger in this layer).
            Interlocked.Increment(ref _walFlushFailures);
        }
    }
}
