using System.Runtime.CompilerServices;

namespace RobustMq.Storage.Segment;

/// <summary>
/// Reads: the locations are taken under the lock, the values read from the files outside it, so a long read does
/// not hold up the writer. A segment deleted meanwhile (its records were trimmed, its keys copied forward) shows as
/// a disposed handle; the read is then done again with the lock held.
/// </summary>
public sealed partial class SegmentStorageEngine
{
    public ValueTask<IReadOnlyList<StoredRecord>> ReadAsync(string shard, long fromOffset, int maxRecords, CancellationToken cancellationToken = default)
    {
        StorageNames.CheckShard(shard);
        ArgumentOutOfRangeException.ThrowIfNegative(maxRecords);
        var records = ReadConsistently(
            () =>
            {
                if (!_index.Shards.TryGetValue(shard, out var s))
                {
                    return (0L, Array.Empty<SegmentLocation>());
                }

                var start = Math.Max(fromOffset, s.Low);
                var locations = new SegmentLocation[(int)Math.Clamp(s.Next - start, 0, maxRecords)];
                for (var i = 0; i < locations.Length; i++)
                {
                    locations[i] = s.At(start + i);
                }

                return (start, locations);
            },
            found =>
            {
                var (start, locations) = found;
                var read = new StoredRecord[locations.Length];
                for (var i = 0; i < read.Length; i++)
                {
                    read[i] = new StoredRecord(start + i, locations[i].Timestamp, ReadValue(locations[i]));
                }

                return read;
            });
        return ValueTask.FromResult<IReadOnlyList<StoredRecord>>(records);
    }

    public ValueTask<ShardBounds> GetBoundsAsync(string shard, CancellationToken cancellationToken = default)
    {
        StorageNames.CheckShard(shard);
        lock (_lock)
        {
            ThrowIfDisposed();
            return ValueTask.FromResult(_index.Shards.TryGetValue(shard, out var s) ? new ShardBounds(s.Low, s.Next) : default);
        }
    }

    public ValueTask<long?> GetCommittedAsync(string shard, string consumer, CancellationToken cancellationToken = default)
    {
        StorageNames.CheckShard(shard);
        lock (_lock)
        {
            ThrowIfDisposed();
            return ValueTask.FromResult(_index.Shards.TryGetValue(shard, out var s) && s.Committed.TryGetValue(consumer, out var offset) ? offset : (long?)null);
        }
    }

    public ValueTask<IReadOnlyList<ConsumerOffset>> ListCommittedAsync(string shard, CancellationToken cancellationToken = default)
    {
        StorageNames.CheckShard(shard);
        lock (_lock)
        {
            ThrowIfDisposed();
            return ValueTask.FromResult(_index.Shards.TryGetValue(shard, out var s) ? ConsumerOffsets.Sorted(s.Committed) : ConsumerOffsets.None);
        }
    }

    public ValueTask<byte[]?> GetAsync(string space, string key, CancellationToken cancellationToken = default)
    {
        StorageNames.CheckSpace(space);
        var value = ReadConsistently(
            () => _index.Spaces.TryGetValue(space, out var s) && s.TryGetValue(key, out var location) ? location : (SegmentLocation?)null,
            location => location is { } found ? ReadValue(found) : null);
        return ValueTask.FromResult(value);
    }

    public async IAsyncEnumerable<StoredEntry> ScanAsync(string space, string keyPrefix = "", [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        StorageNames.CheckSpace(space);
        ArgumentNullException.ThrowIfNull(keyPrefix);
        var entries = ReadConsistently(
            () =>
            {
                List<KeyValuePair<string, SegmentLocation>> found = [];
                if (_index.Spaces.TryGetValue(space, out var s))
                {
                    foreach (var entry in s)
                    {
                        if (entry.Key.StartsWith(keyPrefix, StringComparison.Ordinal))
                        {
                            found.Add(entry);
                        }
                    }
                }

                return found;
            },
            found => found.ConvertAll(e => new StoredEntry(e.Key, ReadValue(e.Value))));

        foreach (var entry in entries)
        {
            cancellationToken.ThrowIfCancellationRequested();
            yield return entry;
        }

        await Task.CompletedTask;
    }

    public ValueTask<IReadOnlyList<SpaceUsage>> ListSpacesAsync(long maxKeys = SpaceUsage.DefaultMaxKeys, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxKeys, 1);
        var found = new List<SpaceUsage>();
        lock (_lock)
        {
            ThrowIfDisposed();

            // The index holds every live key's location and length: exact, and no file is read.
            foreach (var (name, space) in _index.Spaces)
            {
                if (space.Count > 0)
                {
                    long bytes = 0;
                    foreach (var location in space.Values)
                    {
                        bytes += location.Length;
                    }

                    found.Add(new SpaceUsage(name, space.Count, bytes, KeysAtLeast: false));
                }
            }
        }

        found.Sort((a, b) => string.CompareOrdinal(a.Space, b.Space));
        return ValueTask.FromResult<IReadOnlyList<SpaceUsage>>(found);
    }

    /// <summary>
    /// <paramref name="locate"/> under the lock, then <paramref name="read"/> outside it; both again under the lock
    /// when a segment was closed in between.
    /// </summary>
    /// <exception cref="StorageException">Closed: the engine is disposed. Unavailable: a read failed.</exception>
    private TResult ReadConsistently<TFound, TResult>(Func<TFound> locate, Func<TFound, TResult> read)
    {
        TFound found;
        lock (_lock)
        {
            ThrowIfDisposed();
            found = locate();
        }

        try
        {
            return read(found);
        }
        catch (ObjectDisposedException)
        {
            lock (_lock)
            {
                ThrowIfDisposed();
                return read(locate());
            }
        }
    }

    /// <summary>The bytes at <paramref name="location"/>; a closed segment surfaces as <see cref="ObjectDisposedException"/>.</summary>
    private static byte[] ReadValue(SegmentLocation location)
    {
        try
        {
            return location.File.ReadBytes(location.Position, location.Length);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw Failure(e);
        }
    }
}
