using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using RobustMq.Abstractions.Messages;
using RobustMq.Abstractions.Sessions;
using RobustMq.Grains.Storage;
using RobustMq.Storage;

namespace RobustMq.Grains.Tests.Storage;

/// <summary>The stored form of a message a session owes: byte-exact, a lossless round trip, damage detected.</summary>
public sealed class PendingRecordTests
{
    [Fact]
    public void A_shared_in_flight_delivery_has_its_documented_bytes()
    {
        var pending = new PendingMessage(new BrokerMessage("t", new byte[] { 0x6D }, 1, false), 1, true, [7], 0x0102, "g", "t");

        var bytes = PendingRecord.Encode(pending);

        // version 1, flags retain+ids+shared, qos 1, packet id 0x0102 LE, 1 id = 7 (u32 LE), group "g", filter "t", then the message record.
        Assert.Equal("01070102010107000000016701740100010000000000000000017401" + "6D", Convert.ToHexString(bytes));
    }

    [Property(MaxTest = 300)]
    public Property Every_pending_message_reads_back_as_written() =>
        Prop.ForAll(Pendings.ToArbitrary(), pending =>
        {
            var copy = PendingRecord.Decode(PendingRecord.Encode(pending));

            Assert.Equal(Describe(pending), Describe(copy));
        });

    [Fact]
    public void A_record_cut_short_is_corrupt()
    {
        var bytes = PendingRecord.Encode(new PendingMessage(new BrokerMessage("a/b", new byte[] { 1, 2 }, 2, false), 2, false, null, 9));

        for (var length = 0; length < bytes.Length; length++)
        {
            Assert.Equal(StorageErrorKind.Corrupt, Assert.Throws<StorageException>(() => PendingRecord.Decode(bytes.AsMemory(0, length))).Kind);
        }
    }

    private static Gen<PendingMessage> Pendings =>
        from topic in Gen.Elements("a", "s/x/y", "\U0001F600")
        from payload in Gen.Elements(Array.Empty<byte>(), [1, 2, 3])
        from qos in Gen.Elements<byte>(0, 1, 2)
        from retain in Gen.Elements(true, false)
        from ids in Gen.Elements<uint[]?>(null, [], [1], [1, 268_435_455])
        from packetId in Gen.Elements<ushort>(0, 1, 65535)
        from share in Gen.Elements<(string?, string?)>((null, null), ("g", "s/#"), ("", ""))
        from expiresAt in Gen.Elements(0L, 1_700_000_000_000L)
        from handedOnFrom in Gen.Elements<string[]?>(null, [], ["a"], ["a", "\U0001F600"])
        from handedOn in Gen.Elements(true, false)
        from released in Gen.Elements(true, false)
        select new PendingMessage(
            new BrokerMessage(topic, payload, qos, retain, ExpiresAtUnixMs: expiresAt, PublisherClientId: "p"), qos, retain, ids, packetId, share.Item1, share.Item2, handedOnFrom, handedOn,
            Released: released);

    private static string Describe(PendingMessage p) =>
        $"{p.Message.Topic}|{Convert.ToHexString(p.Message.Payload.Span)}|{p.Message.ExpiresAtUnixMs}|{p.Message.PublisherClientId}|{p.QoS}|{p.RetainFlag}|"
        + $"{(p.SubscriptionIds is null ? "-" : string.Join(",", p.SubscriptionIds))}|{p.PacketId}|{p.ShareGroup ?? "-"}|{p.ShareFilter ?? "-"}|"
        + $"{(p.HandedOnFrom is null ? "-" : "[" + string.Join(",", p.HandedOnFrom) + "]")}|{p.HandedOn}|{p.Released}";
}
