using RobustMq.Abstractions.Sessions;
using RobustMq.Protocol.Packets;

namespace RobustMq.Gateway.Connections;

/// <summary>
/// One thing for the write loop: a control packet, or a delivery with its packet id. The id is 0 for QoS 0 and for a
/// first QoS 1/2 send, which gets its id from <see cref="OutboundQueue.Admit"/> once it is certain to be written.
/// <paramref name="Started"/>: a resumed delivery sent again under a new packet id (its own was taken); its delivery
/// had started, so it is not dropped as expired (MQTT-3.3.2-5), like a resend with DUP.
/// </summary>
internal readonly record struct OutItem(MqttPacket? Control, PendingMessage? Delivery, ushort PacketId, bool Dup, bool Started = false)
{
    /// <summary>A first QoS 1/2 send: it holds a Receive Maximum slot but no packet id yet.</summary>
    public bool NeedsPacketId => Delivery is { QoS: > 0 } && PacketId == 0;
}
