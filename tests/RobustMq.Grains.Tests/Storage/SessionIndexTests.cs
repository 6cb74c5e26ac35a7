using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using RobustMq.Abstractions.Messages;
using RobustMq.Abstractions.Sessions;
using RobustMq.Grains.Sessions;
using RobustMq.Storage;

namespace RobustMq.Grains.Tests.Storage;

/// <summary>The session index: its keys by directory shard, its entries byte-exact and a lossless round trip, when a session is due.</summary>
public sealed class SessionIndexTests
{
    [Fact]
    public void An_entry_has_its_documented_bytes()
    {
        // version 1, disconnected, due at 0x0102 (i64 LE).
        Assert.Equal("01" + "00" + "0201000000000000", Convert.ToHexString(SessionIndex.Encode(new SessionIndexEntry(false, 0x0102))));
    }

    [Property(MaxTest = 300)]
    public Property Every_entry_reads_back_as_written() =>
        Prop.ForAll(ArbMap.Default.ArbFor<bool>(), ArbMap.Default.ArbFor<long>(), (connected, due) =>
        {
            var entry = new SessionIndexEntry(connected, due);

            Assert.Equal(entry, SessionIndex.Decode(SessionIndex.Encode(entry)));
        });

    [Fact]
    public void An_entry_cut_short_or_of_another_version_is_corrupt()
    {
        var bytes = SessionIndex.Encode(new SessionIndexEntry(true, long.MaxValue));
        for (var length = 0; length < bytes.Length; length++)
        {
            Assert.Equal(StorageErrorKind.Corrupt, Assert.Throws<StorageException>(() => SessionIndex.Decode(bytes.AsMemory(0, length))).Kind);
        }

        Assert.Equal(StorageErrorKind.Corrupt, Assert.Throws<StorageException>(() => SessionIndex.Decode(new byte[] { 2, 0, 0, 0, 0, 0, 0, 0, 0, 0 })).Kind);
        Assert.Equal(StorageErrorKind.Corrupt, Assert.Throws<StorageException>(() => SessionIndex.Decode(new byte[] { 1, 7, 0, 0, 0, 0, 0, 0, 0, 0 })).Kind);
    }

    [Property(MaxTest = 300)]
    public Property A_key_sits_under_its_directory_shard_and_gives_the_client_id_back() =>
        Prop.ForAll(ArbMap.Default.ArbFor<NonEmptyString>(), id =>
        {
            var clientId = id.Get;
            var key = SessionIndex.Key(clientId);

            Assert.StartsWith(SessionIndex.Prefix(SessionDirectory.ShardOf(clientId)), key, StringComparison.Ordinal);
            Assert.Equal(clientId, SessionIndex.ClientIdOf(key));
        });

    [Fact]
    public void A_disconnected_session_is_due_at_the_earlier_of_its_will_and_its_expiry()
    {
        var will = new WillRecord(new BrokerMessage("w", new byte[] { 1 }, 1, false), 30);

        Assert.Equal(new SessionIndexEntry(true, long.MaxValue), SessionIndex.Of(true, 0, 60, will));
        Assert.Equal(new SessionIndexEntry(false, 1_000 + 60_000), SessionIndex.Of(false, 1_000, 60, null));
        Assert.Equal(new SessionIndexEntry(false, 1_000 + 30_000), SessionIndex.Of(false, 1_000, 60, will));
        // A will delay longer than the expiry goes out at the expiry (MQTT 3.1.3.2.2).
        Assert.Equal(new SessionIndexEntry(false, 1_000 + 10_000), SessionIndex.Of(false, 1_000, 10, will));
        Assert.Equal(new SessionIndexEntry(false, long.MaxValue), SessionIndex.Of(false, 1_000, uint.MaxValue, null));
        Assert.Equal(new SessionIndexEntry(false, 1_000 + 30_000), SessionIndex.Of(false, 1_000, uint.MaxValue, will));
    }

    [Fact]
    public void A_key_without_a_shard_is_corrupt() =>
        Assert.Equal(StorageErrorKind.Corrupt, Assert.Throws<StorageException>(() => SessionIndex.ClientIdOf("client")).Kind);
}
