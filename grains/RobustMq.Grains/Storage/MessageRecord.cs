using System.Buffers;
using RobustMq.Abstractions.Messages;
using RobustMq.Storage;

namespace RobustMq.Grains.Storage;

/// <summary>
/// The stored form of a <see cref="BrokerMessage"/> (retained messages; inside <see cref="PendingRecord"/> for session queues): a version byte, then the
/// fields in a fixed order. Every optional property has a presence bit, so an absent property and an empty one stay
/// apart (MQTT 5, 3.3.2.3). Lengths are unsigned LEB128; integers little-endian. Layout of version 1:
/// <c>01 flags qos expiresAt:i64 topic [publisher] [props] payload</c>, where a string or byte run is its length and its
/// bytes, flags bit 0 = retain, bit 1 = publisher present, bit 2 = properties present. Version 2 is version 1 with the
/// message id (<see cref="BrokerMessage.MessageId"/>, the 16 bytes of <see cref="Guid.TryWriteBytes(Span{byte})"/>)
/// before the payload: <c>02 flags qos expiresAt:i64 topic [publisher] [props] messageId payload</c>, written for every
/// message that has an id (a binary from before it reads it as an unknown version, not as a wrong payload). Props are
/// a presence byte
/// (bit 0 payload format, 1 content type, 2 response topic, 3 correlation data, 4 user properties, 5 expiry interval)
/// followed by the present ones in that order.
/// </summary>
public static class MessageRecord
{
    private const byte Version1 = 1;
    private const byte Version2 = 2;

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
        RecordWriter.Byte(writer, message.MessageId == Guid.Empty ? Version1 : Version2);
        RecordWriter.Byte(writer, flags);
        RecordWriter.Byte(writer, message.QoS);
        RecordWriter.Int64(writer, message.ExpiresAtUnixMs);
        RecordWriter.String(writer, message.Topic);
        if (message.PublisherClientId is { } publisher)
        {
            RecordWriter.String(writer, publisher);
        }

        if (props is not null)
        {
            WriteProperties(writer, props);
        }

        if (message.MessageId != Guid.Empty)
        {
            RecordWriter.Guid(writer, message.MessageId);
        }

        RecordWriter.Bytes(writer, message.Payload.Span);
    }

    /// <summary>The message stored as <paramref name="record"/>; its payload is a slice of <paramref name="record"/> (not copied).</summary>
    /// <exception cref="StorageException">Kind Corrupt: not a record this version can read.</exception>
    public static BrokerMessage Decode(ReadOnlyMemory<byte> record)
    {
        return RecordReader.Decode(record, "message", Read);
    }

    /// <summary>Reads one message record at the reader's position (a part of a larger record).</summary>
    /// <exception cref="FormatException">Not a message record this version can read.</exception>
    internal static BrokerMessage Read(ref RecordReader reader)
    {
        var version = reader.Byte();
        if (version is not (Version1 or Version2))
        {
            throw new FormatException($"unknown message record version {version}");
        }

        var flags = reader.Byte();
        var qos = reader.Byte();
        var expiresAt = reader.Int64();
        var topic = reader.String();
        var publisher = (flags & 2) != 0 ? reader.String() : null;
        var props = (flags & 4) != 0 ? ReadProperties(ref reader) : null;
        var id = version == Version2 ? reader.Guid() : Guid.Empty;
        var payload = reader.Bytes();
        if (qos > 2 || flags > 7)
        {
            throw new FormatException($"QoS {qos} or unknown flags {flags}");
        }

        return new BrokerMessage(topic, payload, qos, (flags & 1) != 0, props, publisher, expiresAt, id);
    }

    private static void WriteProperties(IBufferWriter<byte> writer, MessageProperties props)
    {
        var presence = (byte)((props.PayloadFormatIndicator is null ? 0 : 1) | (props.ContentType is null ? 0 : 2) | (props.ResponseTopic is null ? 0 : 4)
            | (props.CorrelationData is null ? 0 : 8) | (props.UserProperties is null ? 0 : 16) | (props.MessageExpiryInterval is null ? 0 : 32));
        RecordWriter.Byte(writer, presence);
        if (props.PayloadFormatIndicator is { } format)
        {
            RecordWriter.Byte(writer, format);
        }

        if (props.ContentType is { } contentType)
        {
            RecordWriter.String(writer, contentType);
        }

        if (props.ResponseTopic is { } responseTopic)
        {
            RecordWriter.String(writer, responseTopic);
        }

        if (props.CorrelationData is { } correlation)
        {
            RecordWriter.Bytes(writer, correlation);
        }

        if (props.UserProperties is { } user)
        {
            RecordWriter.Length(writer, user.Length);
            foreach (var (key, value) in user)
            {
                RecordWriter.String(writer, key);
                RecordWriter.String(writer, value);
            }
        }

        if (props.MessageExpiryInterval is { } expiry)
        {
            RecordWriter.UInt32(writer, expiry);
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
}
