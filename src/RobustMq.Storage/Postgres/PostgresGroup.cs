using System.Runtime.InteropServices;
using System.Text;
using Npgsql;

namespace RobustMq.Storage.Postgres;

/// <summary>
/// Turns the batches of one group commit into one <see cref="NpgsqlBatch"/> (one round trip), in their order.
/// Offsets come from the committer's shard cache, worked on in a copy (<see cref="ApplyTo"/> after the commit).
/// Consecutive appends, commits and puts become one <c>unnest</c> statement each (the last put of a key wins); an
/// operation that touches the same table otherwise (trim, shard delete, key delete) first flushes what is pending.
/// </summary>
internal sealed class PostgresGroup
{
    private readonly PostgresSql _sql;
    private readonly IReadOnlyDictionary<string, PostgresShard> _cache;
    private readonly Dictionary<string, PostgresShard> _touched = new(StringComparer.Ordinal);
    private readonly NpgsqlBatch _batch = new();

    private readonly List<string> _appendShards = [];
    private readonly List<long> _appendOffsets = [];
    private readonly List<long> _appendTimestamps = [];
    private readonly List<byte[]> _appendValues = [];

    private readonly List<string> _commitShards = [];
    private readonly List<string> _commitConsumers = [];
    private readonly List<long> _commitOffsets = [];
    private readonly Dictionary<(string Shard, string Consumer), int> _commitIndex = [];

    private readonly List<string> _putSpaces = [];
    private readonly List<byte[]> _putKeys = [];
    private readonly List<byte[]> _putValues = [];
    private readonly Dictionary<(string Space, string Key), int> _putIndex = [];

    public PostgresGroup(PostgresSql sql, IReadOnlyDictionary<string, PostgresShard> cache)
    {
        _sql = sql;
        _cache = cache;
    }

    /// <summary>The names of the shards a batch touches (each must be in the cache before <see cref="Add"/>).</summary>
    public static void CollectShards(StorageBatch batch, HashSet<string> names)
    {
        foreach (var op in batch.Operations)
        {
            if (op.Kind is StorageOperationKind.Append or StorageOperationKind.Commit or StorageOperationKind.TrimBefore or StorageOperationKind.DeleteShard)
            {
                names.Add(op.Target);
            }
        }
    }

    /// <summary>The names of the shards a batch may create (an append or a committed offset makes a missing shard exist).</summary>
    public static void CollectCreatedShards(StorageBatch batch, HashSet<string> names)
    {
        foreach (var op in batch.Operations)
        {
            if (op.Kind is StorageOperationKind.Append or StorageOperationKind.Commit)
            {
                names.Add(op.Target);
            }
        }
    }

    /// <summary>Adds <paramref name="batch"/>; returns the offsets of its appends.</summary>
    public long[] Add(StorageBatch batch)
    {
        var offsets = batch.AppendCount == 0 ? [] : new long[batch.AppendCount];
        var appended = 0;
        foreach (var op in batch.Operations)
        {
            switch (op.Kind)
            {
                case StorageOperationKind.Append:
                    offsets[appended++] = Append(op.Target, op.Value, op.Number);
                    break;
                case StorageOperationKind.Commit:
                    Commit(op.Target, op.Key!, op.Number);
                    break;
                case StorageOperationKind.TrimBefore:
                    TrimBefore(op.Target, op.Number);
                    break;
                case StorageOperationKind.DeleteShard:
                    DeleteShard(op.Target);
                    break;
                case StorageOperationKind.Put:
                    Put(op.Target, op.Key!, op.Value);
                    break;
                case StorageOperationKind.Delete:
                    FlushPuts();
                    AddCommand(_sql.DeleteKey, op.Target, Encoding.UTF8.GetBytes(op.Key!));
                    break;
                default:
                    throw new ArgumentOutOfRangeException(nameof(batch), op.Kind, "unknown storage operation");
            }
        }

        return offsets;
    }

    /// <summary>The statements of the whole group, ending with the new rows of the touched shards; null when there is nothing to do.</summary>
    public NpgsqlBatch? Finish()
    {
        FlushAppends();
        FlushCommits();
        FlushPuts();
        List<string> names = [];
        List<long> lows = [];
        List<long> nexts = [];
        List<string> deleted = [];
        foreach (var (name, shard) in _touched)
        {
            if (shard.Exists)
            {
                names.Add(name);
                lows.Add(shard.Low);
                nexts.Add(shard.Next);
            }
            else if (_cache.TryGetValue(name, out var before) && before.Exists)
            {
                deleted.Add(name);
            }
        }

        if (deleted.Count > 0)
        {
            AddCommand(_sql.DeleteShards, (object)deleted.ToArray());
        }

        if (names.Count > 0)
        {
            AddCommand(_sql.UpsertShards, names.ToArray(), lows.ToArray(), nexts.ToArray());
        }

        return _batch.BatchCommands.Count == 0 ? null : _batch;
    }

    /// <summary>Once the group is committed: the shards' new state into the cache.</summary>
    public void ApplyTo(Dictionary<string, PostgresShard> cache)
    {
        foreach (var (name, shard) in _touched)
        {
            cache[name] = shard;
        }
    }

    /// <summary>The bytes of a value as an array to send: the caller's own when it is a whole array (not changed until the write completes).</summary>
    private static byte[] Array(ReadOnlyMemory<byte> value) =>
        MemoryMarshal.TryGetArray(value, out var segment) && segment.Array is { } array && segment.Offset == 0 && segment.Count == array.Length
            ? array
            : value.ToArray();

    private long Append(string shard, ReadOnlyMemory<byte> value, long timestampUnixMs)
    {
        var state = State(shard);
        var offset = state.Next;
        _touched[shard] = new PostgresShard(true, state.Low, offset + 1);
        _appendShards.Add(shard);
        _appendOffsets.Add(offset);
        _appendTimestamps.Add(timestampUnixMs);
        _appendValues.Add(Array(value));
        return offset;
    }

    private void Commit(string shard, string consumer, long offset)
    {
        var state = State(shard);
        if (!state.Exists)
        {
            _touched[shard] = new PostgresShard(true, 0, 0);
        }

        if (_commitIndex.TryGetValue((shard, consumer), out var index))
        {
            _commitOffsets[index] = offset;
            return;
        }

        _commitIndex[(shard, consumer)] = _commitShards.Count;
        _commitShards.Add(shard);
        _commitConsumers.Add(consumer);
        _commitOffsets.Add(offset);
    }

    private void TrimBefore(string shard, long offset)
    {
        var state = State(shard);
        var low = Math.Max(state.Low, Math.Min(offset, state.Next));
        if (!state.Exists || low == state.Low)
        {
            return;
        }

        FlushAppends();
        AddCommand(_sql.TrimRecords, shard, low);
        _touched[shard] = state with { Low = low };
    }

    private void DeleteShard(string shard)
    {
        if (!State(shard).Exists)
        {
            return;
        }

        FlushAppends();
        FlushCommits();
        AddCommand(_sql.DeleteRecords, shard);
        AddCommand(_sql.DeleteCommits, shard);
        _touched[shard] = PostgresShard.Missing;
    }

    private void Put(string space, string key, ReadOnlyMemory<byte> value)
    {
        if (_putIndex.TryGetValue((space, key), out var index))
        {
            _putValues[index] = Array(value);
            return;
        }

        _putIndex[(space, key)] = _putSpaces.Count;
        _putSpaces.Add(space);
        _putKeys.Add(Encoding.UTF8.GetBytes(key));
        _putValues.Add(Array(value));
    }

    private PostgresShard State(string shard) =>
        _touched.TryGetValue(shard, out var touched) ? touched
        : _cache.TryGetValue(shard, out var cached) ? cached
        : throw new InvalidOperationException($"shard '{shard}' was not loaded before its group was built");

    private void FlushAppends()
    {
        if (_appendShards.Count == 0)
        {
            return;
        }

        AddCommand(_sql.InsertRecords, _appendShards.ToArray(), _appendOffsets.ToArray(), _appendTimestamps.ToArray(), _appendValues.ToArray());
        _appendShards.Clear();
        _appendOffsets.Clear();
        _appendTimestamps.Clear();
        _appendValues.Clear();
    }

    private void FlushCommits()
    {
        if (_commitShards.Count == 0)
        {
            return;
        }

        AddCommand(_sql.UpsertCommits, _commitShards.ToArray(), _commitConsumers.ToArray(), _commitOffsets.ToArray());
        _commitShards.Clear();
        _commitConsumers.Clear();
        _commitOffsets.Clear();
        _commitIndex.Clear();
    }

    private void FlushPuts()
    {
        if (_putSpaces.Count == 0)
        {
            return;
        }

        AddCommand(_sql.UpsertKeys, _putSpaces.ToArray(), _putKeys.ToArray(), _putValues.ToArray());
        _putSpaces.Clear();
        _putKeys.Clear();
        _putValues.Clear();
        _putIndex.Clear();
    }

    private void AddCommand(string sql, params object[] parameters) => _batch.BatchCommands.Add(PostgresSql.BatchCommand(sql, parameters));
}
