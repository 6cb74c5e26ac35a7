using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using RobustMq.Abstractions.Messages;
using RobustMq.Grains.Storage;
using RobustMq.Storage;

namespace RobustMq.Grains.Tests.Storage;

/// <summary>The stored message format: byte-exact, a lossless round trip, absent and empty properties apart, damage detected.</summary>
public sealed class MessageRecordTests
{
    [Fact]
    public void A_plain_message_has_its_documented_bytes()
    {
        var message = new BrokerMessage("a/b", new byte[] { 0x68, 0x69 }, 1, true, ExpiresAtUnixMs: 0x0102);

        var bytes = MessageRecord.Encode(message);

        // version 1, flags retain, qos 1, expiresAt 0x0102 LE, topic "a/b", payload "hi".
        Assert.Equal("0101010201000000000000" + "03612F62" + "026869", Convert.ToHexString(bytes));
    }

    [Fact]
    public void A_message_with_an_empty_correlation_data_and_a_publisher_has_its_documented_bytes()
    {
        var message = new BrokerMessage("t", new byte[] { 0x6D }, 0, false, new MessageProperties(CorrelationData: []), "c");

        var bytes = MessageRecord.Encode(message);

        // flags publisher+properties, topic "t", publisher "c", presence correlation only, correlation length 0, payload "m".
        Assert.Equal("0106000000000000000000" + "0174" + "0163" + "08" + "00" + "016D", Convert.ToHexString(bytes));
    }

    [Fact]
    public void A_message_id_has_its_documented_bytes_and_reads_back()
    {
        var id = new Guid("00112233-4455-6677-8899-aabbccddeeff");
        var message = new BrokerMessage("t", new byte[] { 0x6D }, 2, false, MessageId: id);

        var bytes = MessageRecord.Encode(message);

        // version 2, no flags, qos 2, topic "t", the id's 16 bytes (Guid.TryWriteBytes order), payload "m".
        Assert.Equal("0200020000000000000000" + "0174" + "33221100554477668899AABBCCDDEEFF" + "016D", Convert.ToHexString(bytes));
        Assert.Equal(id, MessageRecord.Decode(bytes).MessageId);
    }

    [Fact]
    public void A_record_written_before_message_ids_reads_with_none()
    {
        // As A_plain_message_has_its_documented_bytes: version 1.
        var message = MessageRecord.Decode(Convert.FromHexString("0101010201000000000000" + "03612F62" + "026869"));

        Assert.Equal(Guid.Empty, message.MessageId);
        Assert.Equal("a/b", message.Topic);
    }

    [Fact]
    public void Unknown_flags_are_corrupt()
    {
        var bytes = MessageRecord.Encode(new BrokerMessage("a", new byte[] { 1 }, 0, false));
        bytes[1] = 8;

        Assert.Equal(StorageErrorKind.Corrupt, Assert.Throws<StorageException>(() => MessageRecord.Decode(bytes)).Kind);
    }

    [Property(MaxTest = 300)]
    public Property Every_message_reads_back_as_written() =>
        Prop.ForAll(Messages.ToArbitrary(), message =>
        {
            var copy = MessageRecord.Decode(MessageRecord.Encode(message));

            Assert.Equal(Describe(message), Describe(copy));
        });

    [Fact]
    public void A_truncated_record_is_corrupt()
    {
        var bytes = MessageRecord.Encode(new BrokerMessage("a/b", new byte[] { 1, 2, 3 }, 2, false));

        var error = Assert.Throws<StorageException>(() => MessageRecord.Decode(bytes.AsMemory(0, bytes.Length - 1)));

        Assert.Equal(StorageErrorKind.Corrupt, error.Kind);
    }

    [Fact]
    public void An_unknown_version_is_corrupt()
    {
        var bytes = MessageRecord.Encode(new BrokerMessage("a", new byte[] { 1 }, 0, false));
        bytes[0] = 9;

        Assert.Equal(StorageErrorKind.Corrupt, Assert.Throws<StorageException>(() => MessageRecord.Decode(bytes)).Kind);
    }

    private static Gen<string?> Optional(Gen<string> value) => Gen.OneOf(Gen.Constant<string?>(null), Gen.Constant<string?>(""), value.Select(v => (string?)v));

    private static Gen<string> Text => Gen.Elements("a", "t/x", "ü€", "\U0001F600", "long/" + new string('z', 300));

    private static Gen<MessageProperties?> Properties =>
        from present in Gen.Elements(true, false)
        from format in Gen.Elements<byte?>(null, 0, 1)
        from contentType in Optional(Text)
        from responseTopic in Optional(Text)
        from correlation in Gen.Elements<byte[]?>(null, [], [0, 255, 7])
        from userCount in Gen.Elements(-1, 0, 1, 3)
        from userValue in Optional(Text)
        from expiry in Gen.Elements<uint?>(null, 0, 60, uint.MaxValue)
        select present
            ? new MessageProperties(format, contentType, responseTopic, correlation,
                userCount < 0 ? null : [.. Enumerable.Range(0, userCount).Select(i => new KeyValuePair<string, string>("k" + i, userValue ?? ""))], expiry)
            : null;

    private static Gen<BrokerMessage> Messages =>
        from topic in Text
        from payload in Gen.Elements(Array.Empty<byte>(), [1], new byte[70_000])
        from qos in Gen.Elements<byte>(0, 1, 2)
        from retain in Gen.Elements(true, false)
        from props in Properties
        from publisher in Optional(Text)
        from expiresAt in Gen.Elements(0L, 1L, long.MaxValue, 1_700_000_000_000L)
        from id in Gen.Elements(Guid.Empty, MessageIds.New(), new Guid("ffffffff-ffff-ffff-ffff-ffffffffffff"))
        select new BrokerMessage(topic, payload, qos, retain, props, publisher, expiresAt, id);

    private static string Describe(BrokerMessage m)
    {
        var p = m.Properties;
        var props = p is null
            ? "none"
            : $"{p.PayloadFormatIndicator?.ToString() ?? "-"}|{Show(p.ContentType)}|{Show(p.ResponseTopic)}|{(p.CorrelationData is null ? "-" : Convert.ToHexString(p.CorrelationData))}|"
              + $"{(p.UserProperties is null ? "-" : string.Join(",", p.UserProperties.Select(u => u.Key + "=" + u.Value)))}|{p.MessageExpiryInterval?.ToString() ?? "-"}";
        return $"{m.Topic}|{Convert.ToHexString(m.Payload.Span)}|{m.QoS}|{m.Retain}|{Show(m.PublisherClientId)}|{m.ExpiresAtUnixMs}|{m.MessageId}|{props}";
    }

    private static string Show(string? value) => value is null ? "-" : "'" + value + "'";
}
