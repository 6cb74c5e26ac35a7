using RobustMq.Protocol.Packets;

namespace RobustMq.Protocol.Codec;

/// <summary>The fixed header (2.1): first byte, remaining length and how many bytes the header itself took.</summary>
internal readonly record struct FixedHeader(byte FirstByte, int RemainingLength, int Size)
{
    /// <summary>One type/flags byte plus at most four bytes of remaining length.</summary>
    public const int MaximumSize = 5;

    public MqttPacketType Type => (MqttPacketType)(FirstByte >> 4);

    public int Flags => FirstByte & 0x0F;

    public long PacketSize => (long)Size + RemainingLength;
}
