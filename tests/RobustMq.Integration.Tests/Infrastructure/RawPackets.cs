using System.Text;

namespace RobustMq.Integration.Tests.Infrastructure;

/// <summary>MQTT packets written by hand, byte by byte, for clients that misbehave on purpose.</summary>
public static partial class RawPackets
{
    /// <summary>Protocol level of MQTT 3.1.1.</summary>
    public const byte V311 = 4;

    /// <summary>Protocol level of MQTT 5.0.</summary>
    public const byte V5 = 5;

    public static readonly byte[] PingReq = [0xC0, 0x00];

    public static byte[] Connect(string clientId, byte level = V5, ushort keepAlive = 60, bool cleanStart = true, RawWill? will = null, uint? sessionExpiry = null, ushort? receiveMaximum = null, ushort? topicAliasMaximum = null, string? userName = null)
    {
        var body = new List<byte>();
        String(body, "MQTT");
        body.Add(level);
        var flags = cleanStart ? 0x02 : 0x00;
        if (will is not null)
        {
            flags |= 0x04 | (will.QoS << 3) | (will.Retain ? 0x20 : 0);
        }

        if (userName is not null)
        {
            flags |= 0x80;
        }

        body.Add((byte)flags);
        body.Add((byte)(keepAlive >> 8));
        body.Add((byte)keepAlive);
        if (level == V5)
        {
            var props = new List<byte>();
            if (sessionExpiry is { } expiry)
            {
                props.Add(0x11);
                UInt32(props, expiry);
            }

            if (receiveMaximum is { } maximum)
            {
                props.Add(0x21);
                props.Add((byte)(maximum >> 8));
                props.Add((byte)maximum);
            }

            if (topicAliasMaximum is { } aliases)
            {
                props.Add(0x22);
                props.Add((byte)(aliases >> 8));
                props.Add((byte)aliases);
            }

            Properties(body, props);
        }

        String(body, clientId);
        if (will is not null)
        {
            if (level == V5)
            {
                var willProps = new List<byte>();
                if (will.DelaySeconds != 0)
                {
                    willProps.Add(0x18);
                    UInt32(willProps, will.DelaySeconds);
                }

                Properties(body, willProps);
            }

            String(body, will.Topic);
            String(body, will.Payload);
        }

        if (userName is not null)
        {
            String(body, userName);
        }

        return Frame(0x10, body);
    }

    /// <summary>A PUBLISH with the given first byte (type and flags) and topic bytes, so either can be wrong.</summary>
    public static byte[] Publish(byte firstByte, byte[] topic, string payload, byte level, ushort packetId = 0)
    {
        var body = new List<byte> { (byte)(topic.Length >> 8), (byte)topic.Length };
        body.AddRange(topic);
        if (((firstByte >> 1) & 0x03) != 0)
        {
            body.Add((byte)(packetId >> 8));
            body.Add((byte)packetId);
        }

        if (level == V5)
        {
            body.Add(0x00);
        }

        body.AddRange(Encoding.UTF8.GetBytes(payload));
        return Frame(firstByte, body);
    }

    public static byte[] Publish(string topic, string payload, byte level, byte qos = 0, ushort packetId = 0) =>
        Publish((byte)(0x30 | (qos << 1)), Encoding.UTF8.GetBytes(topic), payload, level, packetId);

    /// <summary>A SUBSCRIBE of one filter; <paramref name="firstByte"/> must be 0x82 to be well formed.</summary>
    public static byte[] Subscribe(ushort packetId, string filter, byte level, byte qos = 0, byte firstByte = 0x82)
    {
        var body = new List<byte> { (byte)(packetId >> 8), (byte)packetId };
        if (level == V5)
        {
            body.Add(0x00);
        }

        String(body, filter);
        body.Add(qos);
        return Frame(firstByte, body);
    }

    /// <summary>An UNSUBSCRIBE of one filter.</summary>
    public static byte[] Unsubscribe(ushort packetId, string filter, byte level)
    {
        var body = new List<byte> { (byte)(packetId >> 8), (byte)packetId };
        if (level == V5)
        {
            body.Add(0x00);
        }

        String(body, filter);
        return Frame(0xA2, body);
    }

    public static byte[] PubAck(ushort packetId) => [0x40, 0x02, (byte)(packetId >> 8), (byte)packetId];

    public static byte[] PubRec(ushort packetId) => [0x50, 0x02, (byte)(packetId >> 8), (byte)packetId];

    public static byte[] PubRel(ushort packetId) => [0x62, 0x02, (byte)(packetId >> 8), (byte)packetId];

    public static byte[] PubComp(ushort packetId) => [0x70, 0x02, (byte)(packetId >> 8), (byte)packetId];

    public static byte[] Disconnect(byte level, byte reasonCode = 0) =>
        level == V5 ? [0xE0, 0x02, reasonCode, 0x00] : [0xE0, 0x00];

    public static byte[] Frame(byte firstByte, IReadOnlyCollection<byte> body)
    {
        var packet = new List<byte>(body.Count + 5) { firstByte };
        var length = body.Count;
        do
        {
            var digit = (byte)(length % 128);
            length /= 128;
            packet.Add(length > 0 ? (byte)(digit | 0x80) : digit);
        }
        while (length > 0);

        packet.AddRange(body);
        return [.. packet];
    }

    private static void String(List<byte> target, string value)
    {
        var bytes = Encoding.UTF8.GetBytes(value);
        target.Add((byte)(bytes.Length >> 8));
        target.Add((byte)bytes.Length);
        target.AddRange(bytes);
    }

    private static void UInt32(List<byte> target, uint value)
    {
        target.Add((byte)(value >> 24));
        target.Add((byte)(value >> 16));
        target.Add((byte)(value >> 8));
        target.Add((byte)value);
    }

    private static void Properties(List<byte> target, List<byte> properties)
    {
        // Property lengths here stay below 128: one byte of Variable Byte Integer.
        target.Add((byte)properties.Count);
        target.AddRange(properties);
    }
}
