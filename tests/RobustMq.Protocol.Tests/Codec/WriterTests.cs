using System.Buffers;
using RobustMq.Protocol.Codec;
using RobustMq.Protocol.Packets;
using RobustMq.Protocol.Tests.Codec.Support;
using static RobustMq.Protocol.MqttProtocolVersion;

namespace RobustMq.Protocol.Tests.Codec;

public sealed class WriterTests
{
    [Fact]
    public void Small_publish_is_written_with_one_span()
    {
        var output = new RecordingBufferWriter(chunkSize: 4096);

        MqttPacketWriter.Write(output, new PublishPacket { Topic = "a", Payload = new byte[100] }, V311);

        Assert.Equal(1, output.GetSpanCalls);
        Assert.Equal(105, output.Written.Length);
    }

    [Fact]
    public void Large_publish_payload_is_written_in_chunks_with_the_same_bytes()
    {
        var publish = new PublishPacket { Topic = "big", QoS = QoS.AtLeastOnce, PacketId = 3, Payload = Enumerable.Range(0, 10_000).Select(i => (byte)i).ToArray() };
        var output = new RecordingBufferWriter(chunkSize: 512);

        MqttPacketWriter.WritePublish(output, publish, V500);

        Assert.True(output.LargestSizeHint < 512, $"asked for a {output.LargestSizeHint}-byte span");
        Assert.Equal(Hex.Of(Wire.Encode(publish, V500)), Hex.Of(output.Written));
    }

    [Fact]
    public void String_longer_than_65535_bytes_cannot_be_written() =>
        Assert.Throws<ArgumentException>(() => Wire.Encode(new PublishPacket { Topic = new string('a', 65_536) }, V311));

    [Fact]
    public void Mqtt31_subscribe_writes_only_the_qos_in_the_options() =>
        Assert.Equal(
            "82060001000161" + "01",
            Hex.Of(Wire.Encode(
                new SubscribePacket { PacketId = 1, Subscriptions = [new TopicSubscription("a", QoS.AtLeastOnce, NoLocal: true, RetainHandling: RetainHandling.DoNotSend)] },
                V310)));

    /// <summary>Hands out spans of at most <c>chunkSize</c> bytes (or the size asked for), like a pipe with small segments.</summary>
    private sealed class RecordingBufferWriter(int chunkSize) : IBufferWriter<byte>
    {
        private readonly ArrayBufferWriter<byte> _inner = new();

        public int GetSpanCalls { get; private set; }

        public int LargestSizeHint { get; private set; }

        public ReadOnlySpan<byte> Written => _inner.WrittenSpan;

        public void Advance(int count) => _inner.Advance(count);

        public Memory<byte> GetMemory(int sizeHint = 0) => throw new NotSupportedException();

        public Span<byte> GetSpan(int sizeHint = 0)
        {
            GetSpanCalls++;
            LargestSizeHint = Math.Max(LargestSizeHint, sizeHint);
            return _inner.GetSpan(sizeHint)[..Math.Max(sizeHint, Math.Min(chunkSize, _inner.FreeCapacity))];
        }
    }
}
