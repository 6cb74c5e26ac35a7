using System.Buffers;
using System.Buffers.Binary;
using System.Text;
using RobustMq.Abstractions.Messages;
using RobustMq.Storage;

namespace RobustMq.Grains.Storage;

/// <summary>
/// The stored form of a <see cref="BrokerMessage"/> (retained messages, session queues): a version byte, then the
/// fields in a fixed order. Every optional property has a presence bit, so an absent property and an empty one stay
/// apart (MQTT 5, 3.3.2.3). Lengths are unsigned LEB128; integers little-endian. Layout of version 1:
/// <c>01 flags qos expiresAt:i64 topic [publisher] [props] payload</c>, where a string or byte run is its length and its
/// bytes, flags bit 0 = retain, bit 1 = publisher present, bit 2 = properties present, and props are a presence byte
/// (bit 0 payload format, 1 content type, 2 response topic, 3 correlation data, 4 user properties, 5 expiry interval)
/// followed by the present ones in that order.
/// </summary>
public static class MessageRecord
{
    private const byte Version1 = 1;

    /// <summary>The record bytes of <paramref name="message"/>.</summary>
    public static byte[] Encode(BrokerMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        var writer = new ArrayBufferWriter<byte>(64 + message.Topic.Length + message.Payload.Length);
        Write(writer, message);
        return writer.WrittenSpan.ToArray();
    }

    /// <summary>Writes the record of <paramref name="message"/> to <paramref name="writer"/>.</summary>
    public static void Write(IBufferWriter<byte> writer, BrokerMessage message)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(message);
        var props = message.Properties;
        var flags = (byte)((message.Retain ? 1 : 0) | (message.PublisherClientId is null ? 0 : 2) | (props is null ? 0 : 4));
        var head = writer.GetSpan(11);
        head[0] = Version1;
        head[1] = flags;
        head[2] = message.QoS;
        BinaryPrimitives.WriteInt64LittleEndian(head[3..], message.ExpiresAtUnixMs);
        writer.Advance(11);
        WriteString(writer, message.Topic);
        if (message.PublisherClientId is { } publisher)
        {
            WriteString(writer, publisher);
        }

        if (props is not null)
        {
            WriteProperties(writer, props);
        }

        WriteBytes(writer, message.Payload.Span);
    }

    /// <summary>The message stored as <paramref name="record"/>; its payload is a slice of <paramref name="record"/> (not copied).</summary>
    /// <exception cref="StorageException">Kind Corrupt: not a record this version can read.</exception>
    public static BrokerMessage Decode(ReadOnlyMemory<byte> record)
    {
        try
        {
            var reader = new RecordReader(record);
            if (reader.Byte() != Version1)
            {
                throw new FormatException($"unknown message record version {record.Span[0]}");
            }

            var flags = reader.Byte();
            var qos = reader.Byte();
            var expiresAt = reader.Int64();
            var topic = reader.String();
            var publisher = (flags & 2) != 0 ? reader.String() : null;
            var props = (flags & 4) != 0 ? ReadProperties(ref reader) : null;
            var payload = reader.Bytes();
            if (!reader.AtEnd || qos > 2)
            {
                throw new FormatException("trailing bytes or a QoS above 2");
            }

            return new BrokerMessage(topic, payload, qos, (flags & 1) != 0, props, publisher, expiresAt);
        }
        catch (Exception ex) when (ex is FormatException or ArgumentOutOfRangeException or DecoderFallbackException)
        {
            throw new StorageException(StorageErrorKind.Corrupt, $"a stored message record cannot be read: {ex.Message}", ex);
        }
    }

    private static void WriteProperties(IBufferWriter<byte> writer, MessageProperties props)
    {
        var presence = (byte)((props.PayloadFormatIndicator is null ? 0 : 1) | (props.ContentType is null ? 0 : 2) | (props.ResponseTopic is null ? 0 : 4)
            | (props.CorrelationData is null ? 0 : 8) | (props.UserProperties is null ? 0 : 16) | (props.MessageExpiryInterval is null ? 0 : 32));
        WriteByte(writer, presence);
        if (props.PayloadFormatIndicator is { } format)
        {
            WriteByte(writer, format);
        }

        if (props.ContentType is { } contentType)
        {
            WriteString(writer, contentType);
        }

        if (props.ResponseTopic is { } responseTopic)
        {
            WriteString(writer, responseTopic);
        }

        if (props.CorrelationData is { } correlation)
        {
            WriteBytes(writer, correlation);
        }

        if (props.UserProperties is { } user)
        {
            WriteLength(writer, user.Length);
            foreach (var (key, value) in user)
            {
                WriteString(writer, key);
                WriteString(writer, value);
            }
        }

        if (props.MessageExpiryInterval is { } expiry)
        {
            var span = writer.GetSpan(4);
            BinaryPrimitives.WriteUInt32LittleEndian(span, expiry);
            writer.Advance(4);
        }
    }

    private static MessageProperties ReadProperties(ref RecordReader reader)
    {
        var presence = reader.Byte();
        byte? format = (presence & 1) != 0 ? reader.Byte() : null;
        var contentType = (presence & 2) != 0 ? reader.String() : null;
        var responseTopic = (presence & 4) != 0 ? reader.String() : null;
        var correlation = (presence & 8) != 0 ? reader.Bytes().ToArray() : null;
        KeyValuePair<string, string>[]? user = null;
        if ((presence & 16) != 0)
        {
            user = new KeyValuePair<string, string>[reader.Length()];
            for (var i = 0; i < user.Length; i++)
            {
                var key = reader.String();
                user[i] = new KeyValuePair<string, string>(key, reader.String());
            }
        }

        uint? expiry = (presence & 32) != 0 ? reader.UInt32() : null;
        return new MessageProperties(format, contentType, responseTopic, correlation, user, expiry);
    }

    private static void WriteByte(IBufferWriter<byte> writer, byte value)
    {
        writer.GetSpan(1)[0] = value;
        writer.Advance(1);
    }

    private static void WriteLength(IBufferWriter<byte> writer, int length)
    {
        var span = writer.GetSpan(5);
        var n = 0;
        var value = (uint)length;
        while (value >= 0x80)
        {
            span[n++] = (byte)(value | 0x80);
            value >>= 7;
        }

        span[n++] = (byte)value;
        writer.Advance(n);
    }

    private static void WriteString(IBufferWriter<byte> writer, string text)
    {
        var length = Encoding.UTF8.GetByteCount(text);
        WriteLength(writer, length);
        var written = Encoding.UTF8.GetBytes(text, writer.GetSpan(length));
        writer.Advance(written);
    }

    private static void WriteBytes(IBufferWriter<byte> writer, ReadOnlySpan<byte> bytes)
    {
        WriteLength(writer, bytes.Length);
        bytes.CopyTo(writer.GetSpan(bytes.Length));
        writer.Advance(bytes.Length);
    }

    /// <summary>Reads the fields of a record in order; a read past the end is a <see cref="FormatException"/>.</summary>
    private struct RecordReader(ReadOnlyMemory<byte> record)
    {
        private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);
        private int _position;

        public readonly bool AtEnd => _position == record.Length;

        public byte Byte() => Take(1).Span[0];

        public long Int64() => BinaryPrimitives.ReadInt64LittleEndian(Take(8).Span);

        public uint UInt32() => BinaryPrimitives.ReadUInt32LittleEndian(Take(4).Span);

        public int Length()
        {
            uint value = 0;
            for (var shift = 0; shift < 35; shift += 7)
            {
                var b = Byte();
                value |= (uint)(b & 0x7F) << shift;
                if ((b & 0x80) == 0)
                {
                    return value <= int.MaxValue ? (int)value : throw new FormatException("a length beyond 2 GiB");
                }
            }

            throw new FormatException("a length of more than 5 bytes");
        }

        public string String() => StrictUtf8.GetString(Take(Length()).Span);

        public ReadOnlyMemory<byte> Bytes() => Take(Length());

        private ReadOnlyMemory<byte> Take(int count)
        {
            if (count < 0 || count > record.Length - _position)
            {
                throw new FormatException($"the record ends at byte {record.Length}, a field needs {count} bytes from byte {_position}");
            }

            var slice = record.Slice(_position, count);
            _position += count;
            return slice;
        }
    }
}
