using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using RobustMq.Abstractions.Messages;
using RobustMq.Abstractions.Sessions;
using RobustMq.Grains.Storage;
using RobustMq.Storage;

namespace RobustMq.Grains.Tests.Storage;

/// <summary>The stored form of a session: byte-exact, a lossless round trip, every truncation detected.</summary>
public sealed class SessionRecordTests
{
    [Fact]
    public void A_minimal_session_has_its_documented_bytes()
    {
        var record = new SessionRecord(60, 5, null, null, 0x0102, [new SubscriptionRecord("a/#", 1, NoLocal: true, SubscriptionId: 9)], [3], []);

        // version 1, flags 0, expiry 60 (u32 LE), protocol 5, disconnectedAt 0x0102 (i64 LE), 1 subscription:
        // "a/#", qos 1, options no-local, retain handling 0, id 9 (u32 LE); pending PUBREL [3]; inbound QoS 2 [].
        Assert.Equal("0100" + "3C000000" + "05" + "0201000000000000" + "01" + "03612F23" + "01" + "01" + "00" + "09000000" + "01" + "0300" + "00", Convert.ToHexString(record.Encode()));
    }

    [Property(MaxTest = 300)]
    public Property Every_session_reads_back_as_written() =>
        Prop.ForAll(Sessions.ToArbitrary(), session =>
        {
            var copy = SessionRecord.Decode(session.Encode());

            Assert.Equal(Describe(session), Describe(copy));
        });

    [Fact]
    public void A_record_cut_short_is_corrupt()
    {
        var bytes = new SessionRecord(uint.MaxValue, 4, "u", new WillRecord(new BrokerMessage("w", new byte[] { 1 }, 1, true), 5), 1, [new SubscriptionRecord("t", 2)], [1], [2],
            new SessionAttachment(new ConnectionRef("n", 3), 4, 5, true)).Encode();

        for (var length = 0; length < bytes.Length; length++)
        {
            Assert.Equal(StorageErrorKind.Corrupt, Assert.Throws<StorageException>(() => SessionRecord.Decode(bytes.AsMemory(0, length))).Kind);
        }
    }

    private static Gen<SubscriptionRecord> Subscriptions =>
        from filter in Gen.Elements("a", "$share/g/s/#", "+/\U0001F600")
        from qos in Gen.Elements<byte>(0, 1, 2)
        from noLocal in Gen.Elements(true, false)
        from rap in Gen.Elements(true, false)
        from handling in Gen.Elements<byte>(0, 1, 2)
        from id in Gen.Elements<uint>(0, 1, 268_435_455)
        from checkRead in Gen.Elements(true, false)
        from user in Gen.Elements<string?>(null, "", "alice")
        select new SubscriptionRecord(filter, qos, noLocal, rap, handling, id, checkRead, user);

    private static Gen<SessionRecord> Sessions =>
        from expiry in Gen.Elements<uint>(0, 60, uint.MaxValue)
        from protocol in Gen.Elements<byte>(3, 4, 5)
        from user in Gen.Elements<string?>(null, "", "bob")
        from will in Gen.Elements<WillRecord?>(null, new WillRecord(new BrokerMessage("will/t", new byte[] { 7 }, 2, true, new MessageProperties(ContentType: "")), 30))
        from disconnectedAt in Gen.Elements(0L, 1_764_547_200_000L)
        from subs in Gen.ArrayOf(Subscriptions)
        from pubRel in Gen.Elements(Array.Empty<ushort>(), [1, 65535])
        from inbound in Gen.Elements(Array.Empty<ushort>(), [7])
        from attached in Gen.Elements<SessionAttachment?>(null, new SessionAttachment(new ConnectionRef("S127.0.0.1:11111:1", 7), 1L << 36, 2L << 36, true),
            new SessionAttachment(new ConnectionRef("", long.MaxValue), 0, 0, false))
        select new SessionRecord(expiry, protocol, user, will, disconnectedAt, subs, pubRel, inbound, attached);

    private static string Describe(SessionRecord s) =>
        $"{s.ExpirySeconds}|{s.ProtocolVersion}|{s.UserName ?? "-"}|{s.DisconnectedAtUnixMs}|"
        + $"{(s.Will is null ? "-" : $"{s.Will.DelaySeconds}:{s.Will.Message.Topic}:{Convert.ToHexString(s.Will.Message.Payload.Span)}:{s.Will.Message.Properties?.ContentType ?? "-"}")}|"
        + string.Join(";", s.Subscriptions.Select(x => x.ToString())) + "|" + string.Join(",", s.PendingPubRel) + "|" + string.Join(",", s.InboundQoS2)
        + "|" + (s.Attached?.ToString() ?? "-");
}
