using System.Buffers;
using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using RobustMq.Protocol.Packets;
using RobustMq.Protocol.ReasonCodes;

namespace RobustMq.Protocol.Codec;

/// <summary>
/// Decodes MQTT control packets from a connection's input, Kestrel style: <see cref="TryRead"/> returns false
/// when more bytes are needed and throws <see cref="MqttProtocolException"/> on bad bytes.
/// </summary>
public static partial class MqttPacketReader
{
    /// <summary>Split bodies up to this size are gathered on the stack; larger ones in a pooled array.</summary>
    private const int StackBufferSize = 256;

    /// <summary>
    /// Decodes one packet from the start of <paramref name="buffer"/>.
    /// </summary>
    /// <returns>
    /// False when the packet is not complete yet (<paramref name="buffer"/> is untouched); true when a packet was
    /// decoded, with <paramref name="buffer"/> sliced past it.
    /// </returns>
    /// <remarks>
    /// While <see cref="DecoderLimits.Version"/> is <see cref="MqttProtocolVersion.Unknown"/> only CONNECT is
    /// accepted; its protocol name and level decide how it is parsed, and the caller passes
    /// <see cref="ConnectPacket.ProtocolVersion"/> in the limits from then on.
    /// </remarks>
    /// <exception cref="MqttProtocolException">The bytes break the protocol; the reason code says how.</exception>
    public static bool TryRead(ref ReadOnlySequence<byte> buffer, in DecoderLimits limits, [NotNullWhen(true)] out MqttPacket? packet)
    {
        if (!TryReadFrame(ref buffer, limits, out packet, out var publish))
        {
            return false;
        }

        packet ??= publish.ToPacket();
        return true;
    }

    /// <summary>
    /// Like <see cref="TryRead"/>, but a PUBLISH is decoded into <paramref name="publish"/> without allocating
    /// (<paramref name="packet"/> is then null): its topic and payload are slices of the input, valid until the
    /// caller advances past them. Any other packet comes back in <paramref name="packet"/>.
    /// </summary>
    /// <exception cref="MqttProtocolException">The bytes break the protocol; the reason code says how.</exception>
    public static bool TryReadFrame(ref ReadOnlySequence<byte> buffer, in DecoderLimits limits, out MqttPacket? packet, out PublishFrame publish)
    {
        packet = null;
        publish = default;
        var first = buffer.FirstSpan;
        var complete = first.Length >= FixedHeader.MaximumSize || first.Length == buffer.Length
            ? TryReadFixedHeader(first, limits, out var header)
            : TryReadSplitFixedHeader(buffer, limits, out header);
        if (!complete || buffer.Length < header.PacketSize)
        {
            return false;
        }

        var contiguous = first.Length >= header.PacketSize;
        if (header.Type == MqttPacketType.Publish)
        {
            var body = buffer.Slice(header.Size, header.RemainingLength);
            publish = contiguous
                ? ReadPublish(header.FirstByte, first.Slice(header.Size, header.RemainingLength), body, limits.Version)
                : ReadSplitPublish(header.FirstByte, body, limits.Version);
        }
        else
        {
            packet = contiguous
                ? ReadBody(header.FirstByte, first.Slice(header.Size, header.RemainingLength), limits.Version)
                : ReadSplitBody(header.FirstByte, buffer.Slice(header.Size, header.RemainingLength), limits.Version);
        }

        buffer = buffer.Slice(header.PacketSize);
        return true;
    }

    private static bool TryReadFixedHeader(ReadOnlySpan<byte> span, in DecoderLimits limits, out FixedHeader header)
    {
        header = default;
        if (span.IsEmpty)
        {
            return false;
        }

        var firstByte = span[0];
        ValidateFirstByte(firstByte, limits.Version);

        // 1.5.5 (2.2.3 in 3.1.1): Remaining Length is a Variable Byte Integer of at most 4 bytes.
        var remainingLength = 0;
        for (var i = 1; i < FixedHeader.MaximumSize; i++)
        {
            if (i >= span.Length)
            {
                return false;
            }

            var b = span[i];
            remainingLength |= (b & 0x7F) << (7 * (i - 1));
            if ((b & 0x80) == 0)
            {
                // MQTT-1.5.5-1: the minimum number of bytes; a last byte of 0 after a continuation byte is not.
                if (b == 0 && i > 1)
                {
                    throw ProtocolErrors.Malformed("remaining length is not in its shortest form");
                }

                header = new FixedHeader(firstByte, remainingLength, i + 1);
                EnsureWithinMaximumPacketSize(header, limits);
                return true;
            }
        }

        throw ProtocolErrors.Malformed("remaining length is longer than 4 bytes");
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static bool TryReadSplitFixedHeader(in ReadOnlySequence<byte> buffer, in DecoderLimits limits, out FixedHeader header)
    {
        Span<byte> bytes = stackalloc byte[FixedHeader.MaximumSize];
        var length = (int)Math.Min(buffer.Length, FixedHeader.MaximumSize);
        buffer.Slice(0, length).CopyTo(bytes);
        return TryReadFixedHeader(bytes[..length], limits, out header);
    }

    private static void ValidateFirstByte(byte firstByte, MqttProtocolVersion version)
    {
        var type = (MqttPacketType)(firstByte >> 4);
        var flags = firstByte & 0x0F;
        if (type == 0)
        {
            throw ProtocolErrors.Malformed("packet type 0 is reserved");
        }

        // MQTT-3.1.0-1: the first packet from the client must be CONNECT.
        if (version == MqttProtocolVersion.Unknown && type != MqttPacketType.Connect)
        {
            throw ProtocolErrors.ProtocolError($"first packet is {type}, not CONNECT");
        }

        if (type == MqttPacketType.Auth && version != MqttProtocolVersion.V500)
        {
            throw ProtocolErrors.Malformed("AUTH exists only in MQTT 5");
        }

        switch (type)
        {
            case MqttPacketType.Publish:
                var qos = (flags >> 1) & 0x03;
                // MQTT-3.3.1-4: QoS 3 is malformed.
                if (qos == 3)
                {
                    throw ProtocolErrors.Malformed("PUBLISH has QoS 3");
                }

                // MQTT-3.3.1-2: DUP must be 0 for QoS 0.
                if (qos == 0 && (flags & 0x08) != 0)
                {
                    throw ProtocolErrors.Malformed("PUBLISH has DUP set with QoS 0");
                }

                break;
            case MqttPacketType.PubRel or MqttPacketType.Subscribe or MqttPacketType.Unsubscribe:
                // MQTT-3.6.1-1, MQTT-3.8.1-1, MQTT-3.10.1-1: fixed header flags are 0b0010.
                if (flags != 0x02)
                {
                    throw ProtocolErrors.Malformed($"{type} has fixed header flags 0x{flags:X}, expected 0x2");
                }

                break;
            default:
                // MQTT-2.1.3-1: reserved flags must be as listed (0b0000).
                if (flags != 0)
                {
                    throw ProtocolErrors.Malformed($"{type} has fixed header flags 0x{flags:X}, expected 0x0");
                }

                break;
        }
    }

    private static void EnsureWithinMaximumPacketSize(in FixedHeader header, in DecoderLimits limits)
    {
        var maximum = limits.MaximumPacketSize == 0 ? DecoderLimits.ProtocolMaximumPacketSize : limits.MaximumPacketSize;
        if (header.PacketSize > maximum)
        {
            throw new MqttProtocolException(
                ReasonCode.PacketTooLarge,
                $"{header.Type} of {header.PacketSize} bytes exceeds the maximum packet size {maximum}");
        }
    }

    /// <summary>Decodes a complete body that sits in one span (the fast path).</summary>
    private static MqttPacket ReadBody(byte firstByte, ReadOnlySpan<byte> body, MqttProtocolVersion version)
    {
        var reader = new MqttBodyReader(body);
        switch ((MqttPacketType)(firstByte >> 4))
        {
            case MqttPacketType.Connect:
                return ReadConnect(ref reader);
            case MqttPacketType.ConnAck:
                return ReadConnAck(ref reader, version);
            case MqttPacketType.PubAck:
                return ReadPublishResponse(new PubAckPacket(), ref reader, version);
            case MqttPacketType.PubRec:
                return ReadPublishResponse(new PubRecPacket(), ref reader, version);
            case MqttPacketType.PubRel:
                return ReadPublishResponse(new PubRelPacket(), ref reader, version);
            case MqttPacketType.PubComp:
                return ReadPublishResponse(new PubCompPacket(), ref reader, version);
            case MqttPacketType.Subscribe:
                return ReadSubscribe(ref reader, version);
            case MqttPacketType.SubAck:
                return ReadSubAck(ref reader, version);
            case MqttPacketType.Unsubscribe:
                return ReadUnsubscribe(ref reader, version);
            case MqttPacketType.UnsubAck:
                return ReadUnsubAck(ref reader, version);
            case MqttPacketType.PingReq:
                reader.EnsureEnd("PINGREQ");
                return PingReqPacket.Instance;
            case MqttPacketType.PingResp:
                reader.EnsureEnd("PINGRESP");
                return PingRespPacket.Instance;
            case MqttPacketType.Disconnect:
                return ReadDisconnect(ref reader, version);
            default:
                return ReadAuth(ref reader);
        }
    }

    /// <summary>Decodes a body that spans several segments (not PUBLISH): gathers it into a stack or pooled buffer and parses that.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static MqttPacket ReadSplitBody(byte firstByte, in ReadOnlySequence<byte> body, MqttProtocolVersion version)
    {
        var length = (int)body.Length;
        byte[]? rented = null;
        Span<byte> scratch = length <= StackBufferSize
            ? stackalloc byte[StackBufferSize]
            : (rented = ArrayPool<byte>.Shared.Rent(length));
        try
        {
            var gathered = scratch[..length];
            body.CopyTo(gathered);
            return ReadBody(firstByte, gathered, version);
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<byte>.Shared.Return(rented);
            }
        }
    }

    /// <summary>A PUBLISH that spans several segments: only its variable header is gathered; the payload stays a slice.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static PublishFrame ReadSplitPublish(byte firstByte, in ReadOnlySequence<byte> body, MqttProtocolVersion version)
    {
        var gatherLength = MeasurePublishHeader(firstByte, body, version);
        byte[]? rented = null;
        Span<byte> scratch = gatherLength <= StackBufferSize
            ? stackalloc byte[StackBufferSize]
            : (rented = ArrayPool<byte>.Shared.Rent(gatherLength));
        try
        {
            var gathered = scratch[..gatherLength];
            body.Slice(0, gatherLength).CopyTo(gathered);
            return ReadPublish(firstByte, gathered, body, version);
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<byte>.Shared.Return(rented);
            }
        }
    }

    /// <summary>
    /// How many bytes the PUBLISH variable header takes (topic, packet id, properties), capped at the body length.
    /// Any inconsistency is left for the parser to report.
    /// </summary>
    private static int MeasurePublishHeader(byte firstByte, in ReadOnlySequence<byte> body, MqttProtocolVersion version)
    {
        var reader = new SequenceReader<byte>(body);
        if (!reader.TryReadBigEndian(out short topicLength))
        {
            return (int)body.Length;
        }

        long length = 2 + (ushort)topicLength + (((firstByte >> 1) & 0x03) == 0 ? 0 : 2);
        if (version == MqttProtocolVersion.V500 && length < body.Length)
        {
            reader.Advance(length - 2);
            var propertiesLength = 0;
            for (var shift = 0; shift < 28; shift += 7)
            {
                if (!reader.TryRead(out var b))
                {
                    break;
                }

                length++;
                propertiesLength |= (b & 0x7F) << shift;
                if ((b & 0x80) == 0)
                {
                    break;
                }
            }

            length += propertiesLength;
        }

        return (int)Math.Min(length, body.Length);
    }

    /// <summary>MQTT-2.2.1-3: SUBSCRIBE, UNSUBSCRIBE and PUBLISH (QoS &gt; 0) carry a non-zero packet identifier; acks echo it.</summary>
    private static ushort ReadPacketId(ref MqttBodyReader reader, string packetName)
    {
        var packetId = reader.ReadUInt16();
        if (packetId == 0)
        {
            throw ProtocolErrors.ProtocolError($"{packetName} has packet identifier 0");
        }

        return packetId;
    }
}
