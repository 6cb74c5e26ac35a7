using System.Text;

namespace RobustMq.Integration.Tests.Infrastructure;

/// <summary>MQTT 5 packets with hand-written property bytes, for byte-exact tests of what the broker forwards.</summary>
public static partial class RawPackets
{
    /// <summary>An MQTT 5 CONNECT (clean start) with <paramref name="properties"/> as its property bytes, and a will with <paramref name="willProperties"/>.</summary>
    public static byte[] Connect5(string clientId, byte[] properties, RawWill? will = null, byte[]? willProperties = null, ushort keepAlive = 60)
    {
        var body = new List<byte>();
        String(body, "MQTT");
        body.Add(V5);
        var flags = 0x02;
        if (will is not null)
        {
            flags |= 0x04 | (will.QoS << 3) | (will.Retain ? 0x20 : 0);
        }

        body.Add((byte)flags);
        body.Add((byte)(keepAlive >> 8));
        body.Add((byte)keepAlive);
        Properties(body, [.. properties]);
        String(body, clientId);
        if (will is not null)
        {
            Properties(body, [.. willProperties ?? []]);
            String(body, will.Topic);
            String(body, will.Payload);
        }

        return Frame(0x10, body);
    }

    /// <summary>An MQTT 5 PUBLISH with <paramref name="properties"/> as its property bytes.</summary>
    public static byte[] Publish5(string topic, byte[] properties, string payload, byte qos = 0, ushort packetId = 0, bool retain = false)
    {
        var body = new List<byte>();
        String(body, topic);
        if (qos > 0)
        {
            body.Add((byte)(packetId >> 8));
            body.Add((byte)packetId);
        }

        Properties(body, [.. properties]);
        body.AddRange(Encoding.UTF8.GetBytes(payload));
        return Frame((byte)(0x30 | (qos << 1) | (retain ? 1 : 0)), body);
    }

    /// <summary>Maximum Packet Size (0x27) as CONNECT property bytes.</summary>
    public static byte[] MaximumPacketSize(uint size) => [0x27, (byte)(size >> 24), (byte)(size >> 16), (byte)(size >> 8), (byte)size];

    /// <summary>Topic Alias Maximum (0x22) as CONNECT property bytes.</summary>
    public static byte[] TopicAliasMaximum(ushort maximum) => [0x22, (byte)(maximum >> 8), (byte)maximum];
}
