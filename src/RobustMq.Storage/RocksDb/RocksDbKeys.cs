using System.Buffers.Binary;
using System.Text;

namespace RobustMq.Storage.RocksDb;

/// <summary>
/// Column family names and key/value formats of <see cref="RocksDbStorageEngine"/> (docs/storage.md, "RocksDB").
/// Shard names never hold 0x00 (<see cref="StorageNames"/>), so <c>shard + 0x00</c> is an exact prefix of one shard.
/// </summary>
internal static class RocksDbKeys
{
    /// <summary>Records: <c>shard UTF-8, 0x00, offset (8 bytes BE)</c> → <c>timestamp Unix ms (8 bytes BE), value</c>.</summary>
    public const string Records = "records";

    /// <summary>Shard metadata: <c>shard UTF-8</c> → <c>low (8 bytes BE), next (8 bytes BE)</c>.</summary>
    public const string Shards = "shards";

    /// <summary>Committed offsets: <c>shard UTF-8, 0x00, consumer UTF-8</c> → <c>offset (8 bytes BE)</c>.</summary>
    public const string Commits = "commits";

    /// <summary>The prefix of a keyed space's column family: <c>space.&lt;name&gt;</c>, keys as UTF-8 bytes.</summary>
    public const string SpacePrefix = "space.";

    public static string SpaceFamily(string space) => SpacePrefix + space;

    /// <summary><c>shard UTF-8, 0x00</c>: the prefix of every record and commit key of <paramref name="shard"/>.</summary>
    public static byte[] ShardPrefix(string shard)
    {
        var key = new byte[Encoding.UTF8.GetByteCount(shard) + 1];
        Encoding.UTF8.GetBytes(shard, key);
        return key;
    }

    /// <summary><c>shard UTF-8, 0x01</c>: the first key past every key of <paramref name="shard"/> (exclusive end).</summary>
    public static byte[] ShardEnd(string shard)
    {
        var key = ShardPrefix(shard);
        key[^1] = 0x01;
        return key;
    }

    public static byte[] Record(string shard, long offset)
    {
        var length = Encoding.UTF8.GetByteCount(shard);
        var key = new byte[length + 1 + 8];
        Encoding.UTF8.GetBytes(shard, key);
        BinaryPrimitives.WriteInt64BigEndian(key.AsSpan(length + 1), offset);
        return key;
    }

    /// <summary>The offset of a record key (its last 8 bytes).</summary>
    public static long RecordOffset(ReadOnlySpan<byte> key) => BinaryPrimitives.ReadInt64BigEndian(key[^8..]);

    public static byte[] RecordValue(long timestampUnixMs, ReadOnlySpan<byte> value)
    {
        var bytes = new byte[8 + value.Length];
        BinaryPrimitives.WriteInt64BigEndian(bytes, timestampUnixMs);
        value.CopyTo(bytes.AsSpan(8));
        return bytes;
    }

    /// <summary>A stored record from its key and value bytes.</summary>
    /// <exception cref="StorageException">The value is shorter than its timestamp (Corrupt).</exception>
    public static StoredRecord ReadRecord(ReadOnlySpan<byte> key, ReadOnlySpan<byte> value)
    {
        if (value.Length < 8 || key.Length < 9)
        {
            throw new StorageException(StorageErrorKind.Corrupt, $"a record of {value.Length} bytes under a key of {key.Length} bytes is too short");
        }

        return new StoredRecord(RecordOffset(key), BinaryPrimitives.ReadInt64BigEndian(value), value[8..].ToArray());
    }

    public static byte[] Commit(string shard, string consumer)
    {
        var length = Encoding.UTF8.GetByteCount(shard);
        var key = new byte[length + 1 + Encoding.UTF8.GetByteCount(consumer)];
        Encoding.UTF8.GetBytes(shard, key);
        Encoding.UTF8.GetBytes(consumer, key.AsSpan(length + 1));
        return key;
    }

    public static byte[] Int64(long value)
    {
        var bytes = new byte[8];
        BinaryPrimitives.WriteInt64BigEndian(bytes, value);
        return bytes;
    }

    /// <exception cref="StorageException">Not 8 bytes (Corrupt).</exception>
    public static long ReadInt64(ReadOnlySpan<byte> bytes) => bytes.Length == 8
        ? BinaryPrimitives.ReadInt64BigEndian(bytes)
        : throw new StorageException(StorageErrorKind.Corrupt, $"an offset of {bytes.Length} bytes (8 expected)");

    public static byte[] Bounds(ShardBounds bounds)
    {
        var bytes = new byte[16];
        BinaryPrimitives.WriteInt64BigEndian(bytes, bounds.Low);
        BinaryPrimitives.WriteInt64BigEndian(bytes.AsSpan(8), bounds.Next);
        return bytes;
    }

    /// <exception cref="StorageException">Not 16 bytes, or low above next (Corrupt).</exception>
    public static ShardBounds ReadBounds(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length != 16)
        {
            throw new StorageException(StorageErrorKind.Corrupt, $"shard bounds of {bytes.Length} bytes (16 expected)");
        }

        var bounds = new ShardBounds(BinaryPrimitives.ReadInt64BigEndian(bytes), BinaryPrimitives.ReadInt64BigEndian(bytes[8..]));
        return bounds.Low <= bounds.Next && bounds.Low >= 0
            ? bounds
            : throw new StorageException(StorageErrorKind.Corrupt, $"shard bounds {bounds.Low}..{bounds.Next} are out of order");
    }
}
