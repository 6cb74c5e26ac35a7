using RobustMq.Abstractions.Sessions;
using RobustMq.Protocol.Packets;

namespace RobustMq.Gateway.Connections;

/// <summary>
/// One thing for the write loop: a control packet, or a delivery with its packet id. The id is 0 for QoS 0 and for a
/// first QoS 1/2 send, which gets its id from <see cref="OutboundQueue.Admit"/> once it is certain to be written.
/// </summary>
internal readonly record struct OutItem(MqttPacket? Control, PendingMessage? Delivery, ushort PacketId, bool Dup)
{
    /// <summary>A first QoS 1/2 send: it holds a Receive Maximum slot but no packet id yet.</summary>
    public bool NeedsPacketId => Delivery is { QoS: > 0 } && PacketId == 0;
}
