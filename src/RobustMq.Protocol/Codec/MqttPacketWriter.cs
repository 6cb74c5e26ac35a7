using System.Buffers;
using System.Diagnostics;
using RobustMq.Protocol.Packets;

namespace RobustMq.Protocol.Codec;

/// <summary>
/// Encodes MQTT control packets into an <see cref="IBufferWriter{T}"/>: the remaining length is measured first,
/// then the packet is written into one span (large PUBLISH payloads are copied in chunks).
/// </summary>
/// <remarks>
/// The <c>version</c> argument decides the wire shape; 3.1.x leaves out everything that is MQTT 5 only (properties,
/// reason codes on acks). For CONNECT, <see cref="MqttProtocolVersion.Unknown"/> means "use
/// <see cref="ConnectPacket.ProtocolVersion"/>"; the protocol name is written from the version ("MQIsdp" for 3.1).
/// The writer does not check which properties a packet may carry: it writes what is set.
/// </remarks>
public static partial class MqttPacketWriter
{
    /// <summary>PUBLISH packets up to this size are written into one span; larger payloads are copied in chunks.</summary>
    private const int SingleSpanLimit = 4096;

    /// <summary>The encoded size of <paramref name="packet"/>, fixed header included.</summary>
    public static int GetPacketSize(MqttPacket packet, MqttProtocolVersion version)
    {
        ArgumentNullException.ThrowIfNull(packet);
        return Measure(packet, ResolveVersion(packet, version)).PacketSize;
    }

    /// <summary>Encodes <paramref name="packet"/> for a connection speaking <paramref name="version"/>.</summary>
    public static void Write(IBufferWriter<byte> output, MqttPacket packet, MqttProtocolVersion version)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(packet);
        version = ResolveVersion(packet, version);
        var layout = Measure(packet, version);
        if (packet is PublishPacket publish)
        {
            WritePublish(output, publish, version, layout);
            return;
        }

        var size = layout.PacketSize;
        var writer = new MqttSpanWriter(output.GetSpan(size));
        writer.WriteByte(FirstByte(packet));
        writer.WriteVariableByteInteger(layout.RemainingLength);
        WriteBody(ref writer, packet, version, layout);
        Debug.Assert(writer.Written == size, "measured and written sizes differ");
        output.Advance(size);
    }

    /// <summary>
    /// Encodes a PUBLISH. The broker encodes each wire shape (version, QoS, properties) once and copies the bytes
    /// to every subscriber that shares it.
    /// </summary>
    public static void WritePublish(IBufferWriter<byte> output, PublishPacket packet, MqttProtocolVersion version)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(packet);
        version = ResolveVersion(packet, version);
        WritePublish(output, packet, version, MeasurePublish(packet, version));
    }

    private static void WritePublish(IBufferWriter<byte> output, PublishPacket packet, MqttProtocolVersion version, PacketLayout layout)
    {
        var size = layout.PacketSize;
        var payload = packet.Payload.Span;
        var headerSize = size - payload.Length;
        var span = output.GetSpan(size <= SingleSpanLimit ? size : headerSize);
        var writer = new MqttSpanWriter(span);
        writer.WriteByte(FirstByte(packet));
        writer.WriteVariableByteInteger(layout.RemainingLength);
        WritePublishHeader(ref writer, packet, version, layout);
        Debug.Assert(writer.Written == headerSize, "measured and written header sizes differ");
        if (span.Length >= size)
        {
            writer.WriteBytes(payload);
            output.Advance(size);
            return;
        }

        output.Advance(headerSize);
        while (!payload.IsEmpty)
        {
            var chunk = output.GetSpan();
            var length = Math.Min(chunk.Length, payload.Length);
            payload[..length].CopyTo(chunk);
            output.Advance(length);
            payload = payload[length..];
        }
    }

    private static MqttProtocolVersion ResolveVersion(MqttPacket packet, MqttProtocolVersion version)
    {
        if (version == MqttProtocolVersion.Unknown && packet is ConnectPacket connect)
        {
            version = connect.ProtocolVersion;
        }

        if (version is not (MqttProtocolVersion.V310 or MqttProtocolVersion.V311 or MqttProtocolVersion.V500))
        {
            throw new ArgumentOutOfRangeException(nameof(version), version, "packets are written for MQTT 3.1, 3.1.1 or 5");
        }

        if (packet is AuthPacket && version != MqttProtocolVersion.V500)
        {
            throw new ArgumentException("AUTH exists only in MQTT 5", nameof(packet));
        }

        return version;
    }

    /// <summary>Packet type and flags (2.1.2, 2.1.3).</summary>
    private static byte FirstByte(MqttPacket packet)
    {
        var type = (int)packet.Type << 4;
        return packet switch
        {
            PublishPacket p => (byte)(type | (p.Dup ? 0x08 : 0) | ((int)p.QoS << 1) | (p.Retain ? 0x01 : 0)),
            PubRelPacket or SubscribePacket or UnsubscribePacket => (byte)(type | 0x02),
            _ => (byte)type,
        };
    }
}
