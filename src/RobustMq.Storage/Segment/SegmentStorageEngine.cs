using System.Runtime.CompilerServices;
using System.Threading.Channels;
using Microsoft.Win32.SafeHandles;

namespace RobustMq.Storage.Segment;

/// <summary>
/// The Segment backend: one engine-wide append-only log of segment files (docs/storage.md, "Segment"). Every
/// <see cref="WriteAsync"/> batch is one CRC-checked record, so a batch across shards and spaces is atomic; a writer
/// loop group-commits the queued batches with one write and (Sync = Always) one fsync. The whole state (shard
/// offset → location, committed offsets, latest keyed value locations) is rebuilt in memory on open by replaying the
/// log; values are read from the files. Recovery stops at the first torn or damaged record and truncates the log
/// there. Retention moves a shard's low (a logged trim); segment files with nothing live left are deleted after a
/// checkpoint record restates every shard and copies live keyed values forward. Open with <see cref="OpenAsync"/>.
/// </summary>
public sealed partial class SegmentStorageEngine : IStorageEngine
{
    private const string LogFolder = "wal";
    private const string LockFileName = "LOCK";

    private readonly Lock _lock = new();
    private readonly SegmentIndex _index = new();
    private readonly SegmentStorageOptions _options;
    private readonly string _directory;
    private readonly SafeFileHandle _lockFile;
    private readonly Channel<PendingWrite> _queue = Channel.CreateUnbounded<PendingWrite>(new UnboundedChannelOptions { SingleReader = true });
    private readonly CancellationTokenSource _stopping = new();
    private Task _writer = Task.CompletedTask;
    private Task _ticker = Task.CompletedTask;
    private SegmentFile _active = null!;
    private long _nextSequence;
    private long _fsyncs;
    private byte[] _zeros = [];
    private bool _closing;
    private bool _disposed;

    private SegmentStorageEngine(SegmentStorageOptions options, string directory, SafeFileHandle lockFile)
    {
        _options = options;
        _directory = directory;
        _lockFile = lockFile;
    }

    public StorageSync Sync => _options.Sync;

    /// <summary>How many fsyncs the engine made (tests: concurrent writers share them).</summary>
    internal long FsyncCount => Interlocked.Read(ref _fsyncs);

    /// <summary>Bytes recovery cut off the log at open (a torn or damaged record and everything after it).</summary>
    internal long RecoveryDroppedBytes { get; private set; }

    /// <summary>The segment files, oldest first (tests).</summary>
    internal IReadOnlyList<string> SegmentPaths
    {
        get
        {
            lock (_lock)
            {
                return [.. _index.Files.Select(f => f.FilePath)];
            }
        }
    }

    /// <summary>
    /// Opens (or creates) the log under <paramref name="options"/>' path: takes the directory's lock file, replays the
    /// log (cutting a torn or damaged tail) and starts the writer loop.
    /// </summary>
    /// <exception cref="ArgumentException">Invalid options.</exception>
    /// <exception cref="StorageException">Unavailable: the directory cannot be used or another engine holds it.</exception>
    public static ValueTask<SegmentStorageEngine> OpenAsync(SegmentStorageOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        cancellationToken.ThrowIfCancellationRequested();
        var directory = System.IO.Path.GetFullPath(System.IO.Path.Combine(options.Path, LogFolder));
        SafeFileHandle lockFile;
        try
        {
            Directory.CreateDirectory(directory);
            lockFile = File.OpenHandle(System.IO.Path.Combine(directory, LockFileName), FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new StorageException(StorageErrorKind.Unavailable, $"cannot open the segment log in {directory} (is another engine using it?)", e);
        }

        var engine = new SegmentStorageEngine(options, directory, lockFile);
        try
        {
            engine.Recover();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            engine.CloseFiles();
            throw Failure(e);
        }

        engine._writer = Task.Run(engine.WriterLoopAsync, CancellationToken.None);
        if (options.Sync.Mode == StorageSyncMode.Periodic)
        {
            engine._ticker = Task.Run(engine.TickerLoopAsync, CancellationToken.None);
        }

        return ValueTask.FromResult(engine);
    }

    public async IAsyncEnumerable<string> ListShardsAsync(string prefix = "", [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(prefix);
        List<string> names;
        lock (_lock)
        {
            ThrowIfDisposed();
            names = [.. _index.Shards.Keys.Where(n => n.StartsWith(prefix, StringComparison.Ordinal))];
        }

        names.Sort(StringComparer.Ordinal);
        foreach (var name in names)
        {
            cancellationToken.ThrowIfCancellationRequested();
            yield return name;
        }

        await Task.CompletedTask;
    }

    /// <summary>Stops taking writes, lets the writer finish what is queued, fsyncs and closes the files.</summary>
    public async ValueTask DisposeAsync()
    {
        lock (_lock)
        {
            if (_closing)
            {
                return;
            }

            _closing = true;
        }

        _queue.Writer.TryComplete();
        await _writer.ConfigureAwait(false);
        await _stopping.CancelAsync().ConfigureAwait(false);
        await _ticker.ConfigureAwait(false);
        lock (_lock)
        {
            _disposed = true;
            try
            {
                FlushFiles(_index.Files);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // Nothing to report to: every acknowledged write was synced as its mode promised.
            }

            CloseFiles();
        }

        _stopping.Dispose();
    }

    /// <summary>The StorageException for an I/O failure: Full for "no space left on device", else Unavailable.</summary>
    internal static StorageException Failure(Exception e) => e switch
    {
        StorageException storage => storage,
        IOException io when IsDiskFull(io) => new StorageException(StorageErrorKind.Full, "no space left for the segment log", io),
        _ => new StorageException(StorageErrorKind.Unavailable, $"segment log I/O failed: {e.Message}", e),
    };

    private static bool IsDiskFull(IOException e) =>
        e.HResult is 28 or 39 or 112 or unchecked((int)0x80070070) or unchecked((int)0x80070027)
        || e.Message.Contains("No space left on device", StringComparison.OrdinalIgnoreCase);

    private void CloseFiles()
    {
        foreach (var file in _index.Files)
        {
            file.Dispose();
        }

        _lockFile.Dispose();
    }

    private void ThrowIfDisposed()
    {
        if (_disposed)
        {
            throw new StorageException(StorageErrorKind.Closed, "the storage engine is disposed");
        }
    }
}
