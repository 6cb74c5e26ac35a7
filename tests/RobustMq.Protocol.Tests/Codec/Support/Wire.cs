using System.Buffers;
using RobustMq.Protocol.Codec;
using RobustMq.Protocol.Packets;
using RobustMq.Protocol.ReasonCodes;

namespace RobustMq.Protocol.Tests.Codec.Support;

/// <summary>Short ways to run the reader and writer in tests.</summary>
internal static class Wire
{
    public static DecoderLimits Limits(MqttProtocolVersion version, uint maximumPacketSize = 0) => new(version, maximumPacketSize);

    public static byte[] Encode(MqttPacket packet, MqttProtocolVersion version)
    {
        var output = new ArrayBufferWriter<byte>();
        MqttPacketWriter.Write(output, packet, version);
        return output.WrittenSpan.ToArray();
    }

    /// <summary>Decodes exactly one packet that fills <paramref name="bytes"/>.</summary>
    public static MqttPacket Decode(byte[] bytes, MqttProtocolVersion version) => Decode(new ReadOnlySequence<byte>(bytes), version);

    public static MqttPacket Decode(ReadOnlySequence<byte> buffer, MqttProtocolVersion version)
    {
        Assert.True(MqttPacketReader.TryRead(ref buffer, Limits(version), out var packet), "TryRead wanted more bytes");
        Assert.Equal(0, buffer.Length);
        return packet;
    }

    public static T Decode<T>(string hex, MqttProtocolVersion version)
        where T : MqttPacket => Assert.IsType<T>(Decode(Hex.Bytes(hex), version));

    /// <summary>The reason code the reader throws for <paramref name="hex"/>.</summary>
    public static ReasonCode Reject(string hex, MqttProtocolVersion version, uint maximumPacketSize = 0) =>
        Error(new ReadOnlySequence<byte>(Hex.Bytes(hex)), version, maximumPacketSize).ReasonCode;

    /// <summary>The exception the reader throws for <paramref name="hex"/>.</summary>
    public static MqttProtocolException Error(string hex, MqttProtocolVersion version, uint maximumPacketSize = 0) =>
        Error(new ReadOnlySequence<byte>(Hex.Bytes(hex)), version, maximumPacketSize);

    public static MqttProtocolException Error(ReadOnlySequence<byte> buffer, MqttProtocolVersion version, uint maximumPacketSize = 0)
    {
        var limits = Limits(version, maximumPacketSize);
        return Assert.Throws<MqttProtocolException>(() => MqttPacketReader.TryRead(ref buffer, limits, out _));
    }
}
