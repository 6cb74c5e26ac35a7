using System.Buffers;
using System.Globalization;
using RobustMq.Abstractions.Sessions;
using RobustMq.Grains.Storage;
using RobustMq.Storage;

namespace RobustMq.Grains.Sessions;

/// <summary>
/// The stored persistent sessions of each session-directory shard, with when each needs its grain: one small entry per
/// session (space <see cref="Space"/>, key <c>{shard:D2}/{clientId}</c>), written in the same batch as the session
/// record whenever what it says changes, and deleted with the record. A directory shard that starts (after its silo
/// died, or at a cluster's start) reads its prefix to know which client ids a session grain holds state for, which
/// sessions were connected (orphans if no live node holds them now) and when each disconnected one is due (its will or
/// its expiry), so no session is forgotten with the silo that ran its timers.
/// </summary>
public static class SessionIndex
{
    /// <summary>The keyed space of index entries.</summary>
    public const string Space = "session_index";

    private const byte Version1 = 1;

    /// <summary>The entry key of <paramref name="clientId"/>: its directory shard, two digits, '/', the client id.</summary>
    public static string Key(string clientId) => Prefix(SessionDirectory.ShardOf(clientId)) + clientId;

    /// <summary>The key prefix of directory shard <paramref name="shard"/> (0 .. <see cref="SessionDirectory.Shards"/> - 1).</summary>
    public static string Prefix(int shard) => shard.ToString("D2", CultureInfo.InvariantCulture) + "/";

    /// <summary>The client id of an entry key (<see cref="Key"/>).</summary>
    /// <exception cref="StorageException">Kind Corrupt: not an index key.</exception>
    public static string ClientIdOf(string key) =>
        key.Length > 3 && key[2] == '/' ? key[3..] : throw new StorageException(StorageErrorKind.Corrupt, $"'{key}' is not a session index key");

    /// <summary>Version 1: <c>01 connected:byte dueAt:i64</c>.</summary>
    public static byte[] Encode(SessionIndexEntry entry)
    {
        var writer = new ArrayBufferWriter<byte>(10);
        RecordWriter.Byte(writer, Version1);
        RecordWriter.Byte(writer, entry.Connected ? (byte)1 : (byte)0);
        RecordWriter.Int64(writer, entry.DueAtUnixMs);
        return writer.WrittenSpan.ToArray();
    }

    /// <exception cref="StorageException">Kind Corrupt: not an entry this version can read.</exception>
    public static SessionIndexEntry Decode(ReadOnlyMemory<byte> value) => RecordReader.Decode(value, "session index", static (ref RecordReader reader) =>
    {
        var version = reader.Byte();
        if (version != Version1)
        {
            throw new FormatException($"unknown session index version {version}");
        }

        var connected = reader.Byte() switch
        {
            0 => false,
            1 => true,
            var other => throw new FormatException($"connected flag {other}"),
        };
        return new SessionIndexEntry(connected, reader.Int64());
    });

    /// <summary>What the index says of the session stored as <paramref name="record"/> (see the other overload).</summary>
    public static SessionIndexEntry Of(SessionRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        return Of(record.Attached is not null, record.DisconnectedAtUnixMs, record.ExpirySeconds, record.Will);
    }

    /// <summary>
    /// What the index says of a session: connected, or when its grain must run next while disconnected: the earlier of
    /// its will's delay and its expiry (Unix ms; <see cref="long.MaxValue"/> when neither, a session that never expires
    /// and has no will).
    /// </summary>
    public static SessionIndexEntry Of(bool connected, long disconnectedAtUnixMs, uint expirySeconds, WillRecord? will)
    {
        if (connected)
        {
            return new SessionIndexEntry(true, long.MaxValue);
        }

        var due = long.MaxValue;
        if (expirySeconds != uint.MaxValue)
        {
            due = disconnectedAtUnixMs + (expirySeconds * 1000L);
        }

        if (will is not null)
        {
            due = Math.Min(due, disconnectedAtUnixMs + (Math.Min(will.DelaySeconds, expirySeconds) * 1000L));
        }

        return new SessionIndexEntry(false, due);
    }
}

/// <summary>One <see cref="SessionIndex"/> entry.</summary>
/// <param name="Connected">Stored while a connection served the session.</param>
/// <param name="DueAtUnixMs">While disconnected: when its will or expiry is due (Unix ms); <see cref="long.MaxValue"/> for never.</param>
public readonly record struct SessionIndexEntry(bool Connected, long DueAtUnixMs);
