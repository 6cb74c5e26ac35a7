using RobustMq.Protocol.Packets;

namespace RobustMq.Protocol.Tests.Codec.Support;

/// <summary>A generated packet and the protocol version it is written and read with.</summary>
public sealed record PacketCase(MqttProtocolVersion Version, MqttPacket Packet)
{
    public override string ToString()
    {
        try
        {
            return $"{Packet.Type} {Version}: {Hex.Of(Wire.Encode(Packet, Version))}";
        }
        catch (ArgumentException e)
        {
            return $"{Packet.Type} {Version}: cannot encode ({e.Message})";
        }
    }
}
