using System.Buffers;
using System.Text;
using RobustMq.Protocol.Codec;
using RobustMq.Protocol.Packets;
using RobustMq.Protocol.Properties;

namespace RobustMq.Gateway.Tests.Channel;

/// <summary>Decoded PUBLISH frames as the read loop hands them to the channel, built without a codec or a socket.</summary>
internal static class ChannelFrames
{
    /// <summary>A PUBLISH with <paramref name="topic"/> ("" when only an alias stands for it), QoS, packet id, retain and properties.</summary>
    public static PublishFrame Publish(string topic, QoS qos = QoS.AtMostOnce, ushort packetId = 0, bool retain = false, MqttProperties? properties = null)
    {
        var firstByte = (byte)(0x30 | ((int)qos << 1) | (retain ? 1 : 0));
        return new PublishFrame(
            firstByte,
            packetId,
            properties,
            new ReadOnlySequence<byte>(Encoding.UTF8.GetBytes(topic)),
            new ReadOnlySequence<byte>("payload"u8.ToArray()));
    }

    /// <summary>A PUBLISH that carries a Topic Alias.</summary>
    public static PublishFrame WithAlias(string topic, ushort alias, QoS qos = QoS.AtMostOnce, ushort packetId = 0) =>
        Publish(topic, qos, packetId, properties: new MqttProperties { TopicAlias = alias });
}
