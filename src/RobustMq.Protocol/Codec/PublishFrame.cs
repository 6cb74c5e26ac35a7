using System.Buffers;
using System.Text;
using RobustMq.Protocol.Packets;
using RobustMq.Protocol.Properties;

namespace RobustMq.Protocol.Codec;

/// <summary>
/// A PUBLISH decoded without allocating (<see cref="MqttPacketReader.TryReadFrame"/>): the header fields, and the
/// topic and payload as slices of the connection's input. The slices are valid until the caller advances its
/// reader past them; copy the payload once into the message every subscriber shares.
/// </summary>
public readonly struct PublishFrame(byte firstByte, ushort packetId, MqttProperties? properties, ReadOnlySequence<byte> topic, ReadOnlySequence<byte> payload)
{
    public bool Dup => (firstByte & 0x08) != 0;

    public QoS QoS => (QoS)((firstByte >> 1) & 0x03);

    public bool Retain => (firstByte & 0x01) != 0;

    /// <summary>Present only when QoS &gt; 0.</summary>
    public ushort PacketId => packetId;

    /// <summary>MQTT 5 properties; null when there are none.</summary>
    public MqttProperties? Properties => properties;

    /// <summary>The topic name as checked UTF-8 (no wildcards, no U+0000); empty when a topic alias stands for it.</summary>
    public ReadOnlySequence<byte> Topic => topic;

    public ReadOnlySequence<byte> Payload => payload;

    /// <summary>The allocating form: a <see cref="PublishPacket"/> with its own topic string and payload copy.</summary>
    public PublishPacket ToPacket() => new()
    {
        Dup = Dup,
        QoS = QoS,
        Retain = Retain,
        Topic = topic.IsEmpty ? "" : Encoding.UTF8.GetString(topic),
        PacketId = packetId,
        Properties = properties,
        Payload = payload.ToArray(),
    };
}
