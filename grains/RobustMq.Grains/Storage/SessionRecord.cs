using System.Buffers;
using RobustMq.Abstractions.Sessions;
using RobustMq.Grains.Sessions;
using RobustMq.Storage;

namespace RobustMq.Grains.Storage;

/// <summary>
/// The durable part of a session (MQTT 4.1): what outlives its connection and the broker process. The messages it
/// owes are separate records (<see cref="PendingRecord"/>), never part of this one.
/// </summary>
/// <param name="ExpirySeconds">Session Expiry Interval in seconds (<see cref="uint.MaxValue"/>: never).</param>
/// <param name="ProtocolVersion">3, 4 or 5, as in CONNECT.</param>
/// <param name="UserName">The user name of the last CONNECT, or null.</param>
/// <param name="Will">The will still to be published, or null.</param>
/// <param name="DisconnectedAtUnixMs">When its last connection ended (Unix ms); 0 while connected. Expiry counts from it.</param>
/// <param name="Subscriptions">Its subscriptions, as subscribed.</param>
/// <param name="PendingPubRel">Packet ids of QoS 2 deliveries whose PUBREC came and whose PUBCOMP did not.</param>
/// <param name="InboundQoS2">Packet ids of QoS 2 messages received from the client whose PUBREL did not come.</param>
/// <param name="Attached">While a connection serves the session: which, and which queue records are its (see <see cref="SessionAttachment"/>).</param>
public sealed record SessionRecord(
    uint ExpirySeconds,
    byte ProtocolVersion,
    string? UserName,
    WillRecord? Will,
    long DisconnectedAtUnixMs,
    SubscriptionRecord[] Subscriptions,
    ushort[] PendingPubRel,
    ushort[] InboundQoS2,
    SessionAttachment? Attached = null)
{
    private const byte Version1 = 1;

    /// <summary>
    /// Version 1: <c>01 flags expiry:u32 protocol disconnectedAt:i64 [userName] [will: delay:u32 message] subscriptions
    /// pendingPubRel inboundQoS2 [attached: node connectionId:i64 ownedFrom:i64 range:i64 startedClean:byte]</c>; flags bit 0 = user name
    /// present, bit 1 = will present, bit 2 = attached to a connection; a subscription is
    /// <c>filter qos options:byte(bit 0 no local, bit 1 retain as published, bit 2 check read, bit 3 user name
    /// present) retainHandling subscriptionId:u32 [userName]</c>; the id lists are a count and u16 each. Field
    /// encodings as <see cref="RecordWriter"/>; the will's message as <see cref="MessageRecord"/>.
    /// </summary>
    public byte[] Encode()
    {
        var writer = new ArrayBufferWriter<byte>(128);
        RecordWriter.Byte(writer, Version1);
        RecordWriter.Byte(writer, (byte)((UserName is null ? 0 : 1) | (Will is null ? 0 : 2) | (Attached is null ? 0 : 4)));
        RecordWriter.UInt32(writer, ExpirySeconds);
        RecordWriter.Byte(writer, ProtocolVersion);
        RecordWriter.Int64(writer, DisconnectedAtUnixMs);
        if (UserName is not null)
        {
            RecordWriter.String(writer, UserName);
        }

        if (Will is not null)
        {
            RecordWriter.UInt32(writer, Will.DelaySeconds);
            MessageRecord.Write(writer, Will.Message);
        }

        RecordWriter.Length(writer, Subscriptions.Length);
        foreach (var sub in Subscriptions)
        {
            WriteSubscription(writer, sub);
        }

        WriteIds(writer, PendingPubRel);
        WriteIds(writer, InboundQoS2);
        if (Attached is { } attached)
        {
            RecordWriter.String(writer, attached.Connection.Node);
            RecordWriter.Int64(writer, attached.Connection.ConnectionId);
            RecordWriter.Int64(writer, attached.OwnedFrom);
            RecordWriter.Int64(writer, attached.Range);
            RecordWriter.Byte(writer, attached.StartedClean ? (byte)1 : (byte)0);
        }

        return writer.WrittenSpan.ToArray();
    }

    /// <summary>One subscription as the record holds it (see <see cref="Encode"/>).</summary>
    internal static void WriteSubscription(IBufferWriter<byte> writer, SubscriptionRecord sub)
    {
        RecordWriter.String(writer, sub.Filter);
        RecordWriter.Byte(writer, sub.QoS);
        RecordWriter.Byte(writer, (byte)((sub.NoLocal ? 1 : 0) | (sub.RetainAsPublished ? 2 : 0) | (sub.CheckRead ? 4 : 0) | (sub.UserName is null ? 0 : 8)));
        RecordWriter.Byte(writer, sub.RetainHandling);
        RecordWriter.UInt32(writer, sub.SubscriptionId);
        if (sub.UserName is not null)
        {
            RecordWriter.String(writer, sub.UserName);
        }
    }

    internal static SubscriptionRecord ReadSubscription(ref RecordReader reader)
    {
        var filter = reader.String();
        var qos = reader.Byte();
        var options = reader.Byte();
        var retainHandling = reader.Byte();
        var id = reader.UInt32();
        var subUser = (options & 8) != 0 ? reader.String() : null;
        return new SubscriptionRecord(filter, qos, (options & 1) != 0, (options & 2) != 0, retainHandling, id, (options & 4) != 0, subUser);
    }

    /// <summary>The session stored as <paramref name="record"/>.</summary>
    /// <exception cref="StorageException">Kind Corrupt: not a record this version can read.</exception>
    public static SessionRecord Decode(ReadOnlyMemory<byte> record) => RecordReader.Decode(record, "session", Read);

    private static SessionRecord Read(ref RecordReader reader)
    {
        var version = reader.Byte();
        if (version != Version1)
        {
            throw new FormatException($"unknown session record version {version}");
        }

        var flags = reader.Byte();
        var expiry = reader.UInt32();
        var protocol = reader.Byte();
        var disconnectedAt = reader.Int64();
        var userName = (flags & 1) != 0 ? reader.String() : null;
        WillRecord? will = null;
        if ((flags & 2) != 0)
        {
            var delay = reader.UInt32();
            will = new WillRecord(MessageRecord.Read(ref reader), delay);
        }

        var subscriptions = new SubscriptionRecord[reader.Length()];
        for (var i = 0; i < subscriptions.Length; i++)
        {
            subscriptions[i] = ReadSubscription(ref reader);
        }

        var pubRel = ReadIds(ref reader);
        var inbound = ReadIds(ref reader);
        SessionAttachment? attached = null;
        if ((flags & 4) != 0)
        {
            var connection = new ConnectionRef(reader.String(), reader.Int64());
            attached = new SessionAttachment(connection, reader.Int64(), reader.Int64(), reader.Byte() switch
            {
                0 => false,
                1 => true,
                _ => throw new FormatException("attachment flag is not 0 or 1"),
            });
        }

        if (flags > 7)
        {
            throw new FormatException("unknown flags");
        }

        return new SessionRecord(expiry, protocol, userName, will, disconnectedAt, subscriptions, pubRel, inbound, attached);
    }

    private static void WriteIds(IBufferWriter<byte> writer, ushort[] ids)
    {
        RecordWriter.Length(writer, ids.Length);
        foreach (var id in ids)
        {
            RecordWriter.UInt16(writer, id);
        }
    }

    private static ushort[] ReadIds(ref RecordReader reader)
    {
        var ids = new ushort[reader.Length()];
        for (var i = 0; i < ids.Length; i++)
        {
            ids[i] = reader.UInt16();
        }

        return ids;
    }
}

/// <summary>
/// The connection serving a session, as its record keeps it, so a session grain that was deactivated while its client
/// stayed connected (it is active only when there is work) knows that when it activates again, and which queue records
/// are its own: those of the range from <see cref="OwnedFrom"/> (queued while the client was connected); those below
/// were handed to this or an older connection, and those from <see cref="Range"/> on this connection stores.
/// </summary>
/// <param name="Connection">The connection.</param>
/// <param name="OwnedFrom">The first sequence of the range the session itself queues under while the connection serves it (<see cref="SessionQueue.RangeSize"/> of them).</param>
/// <param name="Range">The first sequence of the range reserved for the connection (as many); 0 when none.</param>
/// <param name="StartedClean">Whether the connection asked for a clean start (what an older connection still owed then ended with the old session).</param>
public sealed record SessionAttachment(ConnectionRef Connection, long OwnedFrom, long Range, bool StartedClean)
{
    /// <summary>
    /// Whether the connection still serves the session: its node is an active member of <paramref name="membership"/>
    /// (after a restart, the node that was is not).
    /// </summary>
    public bool IsLive(ClusterMembershipSnapshot membership)
    {
        ArgumentNullException.ThrowIfNull(membership);
        try
        {
            return membership.GetSiloStatus(SiloAddress.FromParsableString(Connection.Node)) == SiloStatus.Active;
        }
        catch (FormatException)
        {
            return false;
        }
    }
}
