using System.Buffers;
using System.Text;
using RobustMq.Gateway.Ops;
using RobustMq.Protocol;
using RobustMq.Protocol.Packets;
using RobustMq.Protocol.Properties;
using RobustMq.Protocol.ReasonCodes;

namespace RobustMq.Gateway.Tests.Ops;

public sealed class TraceFormatTests
{
    private static readonly DateTimeOffset At = new(2026, 12, 2, 13, 50, 1, 123, TimeSpan.FromHours(2));

    [Fact]
    public void A_publish_line_has_the_utc_timestamp_client_direction_flags_topic_id_size_and_text_preview()
    {
        var line = TraceFormat.Publish(At, "c1", "127.0.0.1:5000", inbound: true, "t/1", QoS.AtLeastOnce, retain: true, dup: false, 7,
            new MqttProperties { ContentType = "text/plain", UserProperties = [new UserProperty("k", "v")] },
            new ReadOnlySequence<byte>(Encoding.UTF8.GetBytes("hello")), preview: 64);

        Assert.Equal("2026-12-02T11:50:01.123Z c1@127.0.0.1:5000 IN PUBLISH(Q1, R1, D0, Topic=t/1, PacketId=7, PayloadSize=5, Payload=\"hello\", Properties={ContentType=text/plain, UserProperty=[k=v]})", line);
    }

    [Fact]
    public void A_binary_payload_is_shown_as_hex_and_a_long_one_is_cut_at_the_preview_size()
    {
        var binary = TraceFormat.Preview(new ReadOnlySequence<byte>([0x00, 0xFF, 0x10]), 64);
        var cut = TraceFormat.Preview(new ReadOnlySequence<byte>(Encoding.UTF8.GetBytes("abcdefgh")), 4);

        Assert.Equal("0x00FF10", binary);
        Assert.Equal("\"abcd\"...", cut);
    }

    [Fact]
    public void A_connect_line_names_the_client_and_hides_the_password()
    {
        var connect = new ConnectPacket { ProtocolVersion = MqttProtocolVersion.V500, ClientId = "c1", UserName = "bob", Password = [1, 2], KeepAlive = 30, CleanStart = true };

        var line = TraceFormat.Line(At, "c1", null, inbound: true, connect, 64);

        Assert.Equal("2026-12-02T11:50:01.123Z c1@- IN CONNECT(Proto=MQTT, Ver=5, CleanStart=True, KeepAlive=30, ClientId=c1, Username=bob, Password=******)", line);
    }

    [Fact]
    public void Subscribe_suback_and_puback_lines_carry_filters_options_and_reason_codes()
    {
        var subscribe = new SubscribePacket { PacketId = 3, Subscriptions = [new TopicSubscription("a/#", QoS.ExactlyOnce, NoLocal: true)] };
        var suback = new SubAckPacket { PacketId = 3, ReasonCodes = [0x02, 0x87] };
        var puback = new PubAckPacket { PacketId = 9, ReasonCode = ReasonCode.NoMatchingSubscribers };

        Assert.EndsWith(" IN SUBSCRIBE(PacketId=3, TopicFilters=[a/#(Q2, NL1, RAP0, RH0)])", TraceFormat.Line(At, "c1", null, true, subscribe, 64));
        Assert.EndsWith(" OUT SUBACK(PacketId=3, ReasonCodes=[0x02, 0x87])", TraceFormat.Line(At, "c1", null, false, suback, 64));
        Assert.EndsWith(" OUT PUBACK(PacketId=9, ReasonCode=0x10)", TraceFormat.Line(At, "c1", null, false, puback, 64));
        Assert.EndsWith(" IN PINGREQ()", TraceFormat.Line(At, "c1", null, true, PingReqPacket.Instance, 64));
    }

    [Fact]
    public void Client_id_and_address_traces_match_their_connections_and_topic_traces_their_topics_and_filters()
    {
        var byClient = new ActiveTrace(new TraceSpec("a", TraceSpec.ClientIdType, "c1", 0, long.MaxValue), new TraceFile("/tmp/none-a.log", 1 << 20));
        var byAddress = new ActiveTrace(new TraceSpec("b", TraceSpec.IpAddressType, "10.0.0.5", 0, long.MaxValue), new TraceFile("/tmp/none-b.log", 1 << 20));
        var byTopic = new ActiveTrace(new TraceSpec("c", TraceSpec.TopicType, "s/+/t", 0, long.MaxValue), new TraceFile("/tmp/none-c.log", 1 << 20));
        var set = new TraceSet([byClient, byAddress, byTopic]);

        Assert.Equal([byClient], set.Match("c1", "127.0.0.1:1"));
        Assert.Equal([byAddress], set.Match("c2", "[::ffff:10.0.0.5]:4000"));
        Assert.Empty(set.Match("c10", "10.0.0.50:1"));
        Assert.True(TraceSet.Covers(byTopic, "s/x/t"));
        Assert.True(TraceSet.Covers(byTopic, "$share/g/s/x/t"));
        Assert.False(TraceSet.Covers(byTopic, "s/#"));
        Assert.False(TraceSet.Covers(byTopic, "s/x/u"));
    }

    [Fact]
    public void A_trace_file_stops_at_its_cap_with_a_last_line_saying_so()
    {
        var path = Path.Combine(Path.GetTempPath(), $"robustmq-trace-{Guid.NewGuid():N}.log");
        try
        {
            var file = new TraceFile(path, 4096);
            var line = new string('x', 99);
            var written = 0;
            while (file.Append(line))
            {
                written++;
            }

            var (text, truncated) = file.Read(1 << 20);
            Assert.True(file.Full);
            Assert.False(truncated);
            Assert.InRange(new FileInfo(path).Length, 4096 - 228, 4096);
            Assert.Equal(written, text.Split('\n').Count(l => l == line));
            Assert.StartsWith("# trace file full", text.Split('\n', StringSplitOptions.RemoveEmptyEntries)[^1]);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void A_client_id_with_a_newline_cannot_forge_a_second_line()
    {
        var connect = new ConnectPacket
        {
            ProtocolVersion = MqttProtocolVersion.V500, ClientId = "c1\n2026-12-02T11:50:02.000Z admin@10.0.0.1:1 IN PUBLISH(fake)", UserName = "u\r\x01",
            Properties = new MqttProperties { UserProperties = [new UserProperty("k\n", "v\\")] },
        };

        var line = TraceFormat.Line(At, connect.ClientId, "127.0.0.1:1", inbound: true, connect, 64);
        var publish = TraceFormat.Publish(At, "c\n", null, true, "t/\n", QoS.AtMostOnce, false, false, 0, new MqttProperties { ContentType = "a\nb", ReasonString = "r\n" },
            new ReadOnlySequence<byte>(Encoding.UTF8.GetBytes("x\ty")), 64);

        Assert.DoesNotContain("\n", line, StringComparison.Ordinal);
        Assert.DoesNotContain("\r", line, StringComparison.Ordinal);
        Assert.StartsWith("2026-12-02T11:50:01.123Z c1\\n2026-12-02T11:50:02.000Z admin@10.0.0.1:1 IN PUBLISH(fake)@127.0.0.1:1 IN CONNECT(", line, StringComparison.Ordinal);
        Assert.Contains("Username=u\\r\\u0001,", line, StringComparison.Ordinal);
        Assert.Contains("UserProperty=[k\\n=v\\\\]", line, StringComparison.Ordinal);
        Assert.Equal("2026-12-02T11:50:01.123Z c\\n@- IN PUBLISH(Q0, R0, D0, Topic=t/\\n, PayloadSize=3, Payload=\"x\\ty\", Properties={ContentType=a\\nb, ReasonString=r\\n})", publish);
    }

    [Fact]
    public void Invalid_utf8_is_shown_as_hex_and_a_character_cut_by_the_preview_is_left_out_of_the_text()
    {
        // "é" is C3 A9: a preview of 2 bytes of "aé" cuts it.
        var cutInside = TraceFormat.Preview(new ReadOnlySequence<byte>(Encoding.UTF8.GetBytes("aé")), 2);
        var endsIncomplete = TraceFormat.Preview(new ReadOnlySequence<byte>([0x61, 0xC3]), 64);
        var invalidThenCut = TraceFormat.Preview(new ReadOnlySequence<byte>([0xFF, 0x61, 0x62]), 2);
        var quoted = TraceFormat.Preview(new ReadOnlySequence<byte>(Encoding.UTF8.GetBytes("a\"b\\c\r\n")), 64);

        Assert.Equal("\"a\"...", cutInside);
        Assert.Equal("0x61C3", endsIncomplete);
        Assert.Equal("0xFF61...", invalidThenCut);
        Assert.Equal("\"a\\\"b\\\\c\\r\\n\"", quoted);
    }

    [Fact]
    public void A_trace_file_read_leaves_out_a_line_not_yet_ended()
    {
        var path = Path.Combine(Path.GetTempPath(), $"robustmq-trace-{Guid.NewGuid():N}.trace.log");
        try
        {
            File.WriteAllText(path, "line one\nline two\nhalf a li");
            var file = new TraceFile(path, 1 << 20);

            var (whole, wholeCut) = file.Read(1 << 20);
            var (part, partCut) = file.Read(12);

            Assert.Equal(("line one\nline two\n", false), (whole, wholeCut));
            Assert.Equal(("line one\n", true), (part, partCut));
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void A_full_trace_file_opened_again_is_full_and_gets_no_second_full_line()
    {
        var path = Path.Combine(Path.GetTempPath(), $"robustmq-trace-{Guid.NewGuid():N}.trace.log");
        try
        {
            var first = new TraceFile(path, 4096);
            while (first.Append(new string('x', 99)))
            {
            }

            first.Close();
            var length = new FileInfo(path).Length;

            // As after a restart: a new object for the same file.
            var again = new TraceFile(path, 4096);
            var appended = again.Append("one more");
            again.Close();

            Assert.True(again.Full);
            Assert.False(appended);
            Assert.Equal(length, new FileInfo(path).Length);
            Assert.Single(File.ReadAllLines(path), l => l.StartsWith(TraceFile.FullNote, StringComparison.Ordinal));
            Assert.False(new TraceFile(path + ".none", 4096).Full);
        }
        finally
        {
            File.Delete(path);
        }
    }
}
