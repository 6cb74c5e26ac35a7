namespace RobustMq.Integration.Tests.Infrastructure;

/// <summary>One packet read off a raw socket: the first byte of the fixed header and the body.</summary>
public sealed record RawPacket(byte FirstByte, byte[] Body)
{
    public const int ConnAck = 2;
    public const int PubAck = 4;
    public const int SubAck = 9;
    public const int Disconnect = 14;

    public int Type => FirstByte >> 4;

    /// <summary>The reason code of a CONNACK (return code on 3.1.1) or of a DISCONNECT (0 when omitted).</summary>
    public byte ReasonCode => Type switch
    {
        ConnAck => Body[1],
        Disconnect => Body.Length == 0 ? (byte)0 : Body[0],
        _ => throw new InvalidOperationException($"packet type {Type} has no single reason code"),
    };

    public override string ToString() => $"type {Type} (0x{FirstByte:x2}) [{Convert.ToHexString(Body)}]";
}
