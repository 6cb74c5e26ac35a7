using RobustMq.Abstractions.Sessions;
using RobustMq.Protocol.Packets;

namespace RobustMq.Gateway.Connections;

/// <summary>One thing for the write loop: a control packet, or a delivery with its packet id (0 for QoS 0).</summary>
internal readonly record struct OutItem(MqttPacket? Control, PendingMessage? Delivery, ushort PacketId, bool Dup);
