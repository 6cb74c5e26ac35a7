using RobustMq.Protocol.Packets;

namespace RobustMq.Benchmarks.Load;

/// <summary>One entry of a client's outbox: a packet to encode, or a 4-byte acknowledgement (type and id).</summary>
internal readonly record struct OutItem(MqttPacket? Packet, MqttPacketType AckType, ushort AckId)
{
    public static OutItem Ack(MqttPacketType type, ushort packetId) => new(null, type, packetId);
}
