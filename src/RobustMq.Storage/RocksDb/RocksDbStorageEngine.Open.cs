using System.Diagnostics.CodeAnalysis;
using RocksDbSharp;

namespace RobustMq.Storage.RocksDb;

/// <summary>
/// Opening the database, and opening it again after a failed write: RocksDB keeps a failed WAL write (no space) as a
/// sticky error and refuses every later write, and its C API cannot resume, so the committer closes and reopens the
/// database before the next group (at most once per <see cref="ReopenInterval"/>). When the read-write open fails too
/// (the disk is still full), the database is opened read-only so that reads go on, and groups fail with the open's
/// error until a read-write open succeeds. Writes resume once the disk does.
/// </summary>
public sealed partial class RocksDbStorageEngine
{
    private ColumnFamilyHandle _records;
    private ColumnFamilyHandle _shards;
    private ColumnFamilyHandle _commits;
    private bool _writeFailed;
    private bool _readOnly;
    private StorageException? _reopenError;
    private long _lastReopenTicks;
    private long _reopens;

    /// <summary>The least time between two reopen attempts while writes keep failing (1 s; tests set 0).</summary>
    internal TimeSpan ReopenInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>How many times the committer reopened the database after a failed write. For tests.</summary>
    internal long ReopenCount => Interlocked.Read(ref _reopens);

    /// <summary>Opens the database with every column family it has (creating <c>records</c>, <c>shards</c>, <c>commits</c>).</summary>
    /// <exception cref="StorageException">Already open (Unavailable, naming the path) or cannot be opened.</exception>
    [MemberNotNull(nameof(_records), nameof(_shards), nameof(_commits))]
    private RocksDbSharp.RocksDb Open(bool readOnly = false)
    {
        try
        {
            Directory.CreateDirectory(_path);
            var families = new ColumnFamilies(_familyOptions);
            var names = new HashSet<string>(StringComparer.Ordinal) { ColumnFamilies.DefaultName };
            string[] existing = RocksDbSharp.RocksDb.TryListColumnFamilies(_dbOptions, _path, out var listed) ? listed : [];
            foreach (var name in (string[])[RocksDbKeys.Records, RocksDbKeys.Shards, RocksDbKeys.Commits, .. existing])
            {
                if (names.Add(name))
                {
                    families.Add(name, _familyOptions);
                }
            }

            var db = readOnly
                ? RocksDbSharp.RocksDb.OpenReadOnly(_dbOptions, _path, families, errIfLogFileExists: false)
                : RocksDbSharp.RocksDb.Open(_dbOptions, _path, families);
            _spaces.Clear();
            foreach (var name in names)
            {
                if (name.StartsWith(RocksDbKeys.SpacePrefix, StringComparison.Ordinal))
                {
                    _spaces[name[RocksDbKeys.SpacePrefix.Length..]] = db.GetColumnFamily(name);
                }
            }

            _records = db.GetColumnFamily(RocksDbKeys.Records);
            _shards = db.GetColumnFamily(RocksDbKeys.Shards);
            _commits = db.GetColumnFamily(RocksDbKeys.Commits);
            return db;
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            throw RocksDbErrors.OpenFailed(_path, e);
        }
    }

    /// <summary>
    /// On the committer, before a group, when the last one failed: closes and reopens the database read-write (not more
    /// often than <see cref="ReopenInterval"/>) and forgets the cached shard bounds, which are then read from disk
    /// again. While the database is closed for this, reads throw Unavailable.
    /// </summary>
    /// <exception cref="StorageException">The read-write reopen failed, now or less than an interval ago (the group fails with it).</exception>
    private void ReopenAfterFailedWrite()
    {
        if (!_writeFailed)
        {
            return;
        }

        if (_db is not null && Environment.TickCount64 - _lastReopenTicks < (long)ReopenInterval.TotalMilliseconds)
        {
            // Too soon to try again: a read-only database fails the group with the last open error; a read-write one
            // is written as it is (it fails fast while its error is sticky, and succeeds when there was none).
            if (_readOnly)
            {
                throw _reopenError!;
            }

            return;
        }

        _lastReopenTicks = Environment.TickCount64;
        _shardTable.Forget();
        _gate.EnterWriteLock();
        try
        {
            _db?.Dispose();
            _db = null;
            try
            {
                _db = Open();
                _readOnly = false;
                _reopenError = null;
                Interlocked.Increment(ref _reopens);
            }
            catch (StorageException e)
            {
                _reopenError = e;
                _readOnly = true;
                _db = TryOpenReadOnly();
                throw;
            }
        }
        finally
        {
            _gate.ExitWriteLock();
        }
    }

    /// <summary>The database opened read-only (it takes no lock and writes nothing), or null when that fails too.</summary>
    private RocksDbSharp.RocksDb? TryOpenReadOnly()
    {
        try
        {
            return Open(readOnly: true);
        }
        catch (StorageException)
        {
            return null;
        }
    }
}
