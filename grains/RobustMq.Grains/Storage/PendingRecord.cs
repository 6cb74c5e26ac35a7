using System.Buffers;
using RobustMq.Abstractions.Sessions;
using RobustMq.Storage;

namespace RobustMq.Grains.Storage;

/// <summary>
/// The stored form of a <see cref="PendingMessage"/> (one message a session owes its client: an offline queue entry or
/// an in-flight delivery). Version 1: <c>01 flags qos packetId:u16 [subscriptionIds] [shareGroup shareFilter]
/// [handedOnFrom] message</c>, where flags bit 0 = retain flag, bit 1 = subscription ids present (a count, then each as
/// u32), bit 2 = shared subscription (group and filter as strings), bit 3 = the members it was handed on from (a count,
/// then each as a string), bit 4 = handed back by a connection (its read access is checked again), bit 5 = released (a
/// QoS 2 delivery whose PUBREL was sent: owed a PUBCOMP only), and message is a
/// <see cref="MessageRecord"/>. Field encodings as
/// <see cref="RecordWriter"/>.
/// </summary>
public static class PendingRecord
{
    private const byte Version1 = 1;

    /// <summary>The record bytes of <paramref name="pending"/>.</summary>
    public static byte[] Encode(PendingMessage pending)
    {
        ArgumentNullException.ThrowIfNull(pending);
        var writer = new ArrayBufferWriter<byte>(80 + pending.Message.Topic.Length + pending.Message.Payload.Length);
        var flags = (byte)((pending.RetainFlag ? 1 : 0) | (pending.SubscriptionIds is null ? 0 : 2) | (pending.ShareGroup is null ? 0 : 4)
            | (pending.HandedOnFrom is null ? 0 : 8) | (pending.HandedOn ? 16 : 0) | (pending.Released ? 32 : 0));
        RecordWriter.Byte(writer, Version1);
        RecordWriter.Byte(writer, flags);
        RecordWriter.Byte(writer, pending.QoS);
        RecordWriter.UInt16(writer, pending.PacketId);
        if (pending.SubscriptionIds is { } ids)
        {
            RecordWriter.Length(writer, ids.Length);
            foreach (var id in ids)
            {
                RecordWriter.UInt32(writer, id);
            }
        }

        if (pending.ShareGroup is { } group)
        {
            RecordWriter.String(writer, group);
            RecordWriter.String(writer, pending.ShareFilter ?? string.Empty);
        }

        if (pending.HandedOnFrom is { } from)
        {
            RecordWriter.Length(writer, from.Length);
            foreach (var member in from)
            {
                RecordWriter.String(writer, member);
            }
        }

        MessageRecord.Write(writer, pending.Message);
        return writer.WrittenSpan.ToArray();
    }

    /// <summary>The pending message stored as <paramref name="record"/>; its payload is a slice of <paramref name="record"/>.</summary>
    /// <exception cref="StorageException">Kind Corrupt: not a record this version can read.</exception>
    public static PendingMessage Decode(ReadOnlyMemory<byte> record) => RecordReader.Decode(record, "pending-message", Read);

    private static PendingMessage Read(ref RecordReader reader)
    {
        var version = reader.Byte();
        if (version != Version1)
        {
            throw new FormatException($"unknown pending record version {version}");
        }

        var flags = reader.Byte();
        var qos = reader.Byte();
        var packetId = reader.UInt16();
        uint[]? ids = null;
        if ((flags & 2) != 0)
        {
            ids = new uint[reader.Length()];
            for (var i = 0; i < ids.Length; i++)
            {
                ids[i] = reader.UInt32();
            }
        }

        string? group = null;
        string? filter = null;
        if ((flags & 4) != 0)
        {
            group = reader.String();
            filter = reader.String();
        }

        string[]? from = null;
        if ((flags & 8) != 0)
        {
            from = new string[reader.Length()];
            for (var i = 0; i < from.Length; i++)
            {
                from[i] = reader.String();
            }
        }

        var message = MessageRecord.Read(ref reader);
        if (qos > 2 || flags > 63)
        {
            throw new FormatException("a QoS above 2 or unknown flags");
        }

        return new PendingMessage(message, qos, (flags & 1) != 0, ids, packetId, group, filter, from, (flags & 16) != 0, Released: (flags & 32) != 0);
    }
}
