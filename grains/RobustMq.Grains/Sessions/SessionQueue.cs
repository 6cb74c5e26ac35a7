using System.Globalization;
using RobustMq.Abstractions.Messages;
using RobustMq.Abstractions.Sessions;
using RobustMq.Grains.Storage;
using RobustMq.Storage;

namespace RobustMq.Grains.Sessions;

/// <summary>
/// The records of persistent sessions' queues: space <see cref="Space"/>, key <c>{length:D5}:{clientId}/{sequence}</c>
/// (the sequence biased by 2^62 and written as 19 digits, so key order is queue order), value a
/// <see cref="PendingRecord"/>. The session grain writes them for an offline session; a connection serving the session
/// writes each QoS 1/2 delivery it accepts (<see cref="PutAsync"/>, before the publisher is acknowledged) and deletes
/// it once its client acknowledges it (<see cref="DeleteAsync"/>), in the sequence range the grain reserved for it
/// (<see cref="ConnectResult.QueueSequence"/>).
/// </summary>
public sealed class SessionQueue(StorageEngines storage)
{
    /// <summary>The keyed space of queued messages.</summary>
    public const string Space = "queue";

    /// <summary>
    /// The keyed space of inbound QoS 2 packet ids a persistent session's client was sent PUBREC for and has not yet
    /// released (PUBREL): key <c>{length:D5}:{clientId}/{packetId:D5}</c>, empty value. Written by the connection
    /// before the PUBREC (<see cref="PutInboundAsync"/>), deleted before the PUBCOMP, so a resend after a crash is
    /// known as one (MQTT 4.3.3, 4.4) and a new message that reuses a released id is not taken for a resend.
    /// </summary>
    public const string InboundSpace = "inbound";

    /// <summary>The sequences one connection may use: 2^36 (68 billion deliveries), then the next connection's range.</summary>
    public const long RangeSize = 1L << 36;

    private const long SequenceBias = 1L << 62;

    /// <summary>
    /// The key prefix of a client's records, or null for a client id too long for a storage key (kept in memory only;
    /// the gateway gives such ids clean sessions only, so only a backend service's call can make one).
    /// </summary>
    public static string? PrefixOf(string clientId) =>
        SessionLimits.CanStore(clientId) ? $"{clientId.Length:D5}:{clientId}/" : null;

    /// <summary>The key of the record <paramref name="sequence"/> under <paramref name="prefix"/>.</summary>
    public static string Key(string prefix, long sequence) => prefix + (sequence + SequenceBias).ToString("D19", CultureInfo.InvariantCulture);

    /// <summary>The sequence in a record key with <paramref name="prefix"/>.</summary>
    /// <exception cref="StorageException">Kind Corrupt: not a queue key.</exception>
    public static long SequenceOf(string prefix, string key) =>
        key.Length == prefix.Length + 19 && long.TryParse(key.AsSpan(prefix.Length), NumberStyles.None, CultureInfo.InvariantCulture, out var biased)
            ? biased - SequenceBias
            : throw new StorageException(StorageErrorKind.Corrupt, $"'{key}' is not a session queue key");

    /// <summary>
    /// Stores <paramref name="message"/> as its session's record <see cref="PendingMessage.StoreSequence"/>; completes
    /// once durable as <c>Storage:Sync</c> promises.
    /// </summary>
    /// <exception cref="MessageNotStoredException">The write failed (store full or unavailable): the publisher must not be acknowledged.</exception>
    public async Task PutAsync(string clientId, PendingMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        var prefix = PrefixOf(clientId) ?? throw new MessageNotStoredException(message.Message.Topic, StoreOutcome.Unavailable);
        try
        {
            await storage.ForState().WriteAsync(new StorageBatch().Put(Space, Key(prefix, message.StoreSequence), PendingRecord.Encode(message)));
        }
        catch (StorageException ex)
        {
            throw new MessageNotStoredException(message.Message.Topic, OutcomeOf(ex));
        }
    }

    /// <summary>Deletes the record <paramref name="sequence"/> of <paramref name="clientId"/> (acknowledged or dropped).</summary>
    /// <exception cref="StorageException">The write failed; the record stays and is delivered again after a restart.</exception>
    public async Task DeleteAsync(string clientId, long sequence)
    {
        if (PrefixOf(clientId) is { } prefix)
        {
            await storage.ForState().WriteAsync(new StorageBatch().Delete(Space, Key(prefix, sequence)));
        }
    }

    /// <summary>The length of an inbound key's packet id part (five decimal digits).</summary>
    public const int PacketIdDigits = 5;

    /// <summary>The key of an inbound QoS 2 packet id under <paramref name="prefix"/>.</summary>
    public static string InboundKey(string prefix, ushort packetId) => prefix + packetId.ToString("D5", CultureInfo.InvariantCulture);

    /// <summary>The packet id in an <see cref="InboundSpace"/> key with <paramref name="prefix"/>.</summary>
    /// <exception cref="StorageException">Kind Corrupt: not an inbound key.</exception>
    public static ushort PacketIdOf(string prefix, string key) =>
        key.Length == prefix.Length + PacketIdDigits && ushort.TryParse(key.AsSpan(prefix.Length), NumberStyles.None, CultureInfo.InvariantCulture, out var id)
            ? id
            : throw new StorageException(StorageErrorKind.Corrupt, $"'{key}' is not an inbound packet id key");

    /// <summary>Records that <paramref name="clientId"/>'s QoS 2 message <paramref name="packetId"/> was received and not yet released; completes once durable.</summary>
    /// <exception cref="MessageNotStoredException">The write failed: the PUBREC must not be sent as a success.</exception>
    public async Task PutInboundAsync(string clientId, string topic, ushort packetId)
    {
        var prefix = PrefixOf(clientId) ?? throw new MessageNotStoredException(topic, StoreOutcome.Unavailable);
        try
        {
            await storage.ForState().WriteAsync(new StorageBatch().Put(InboundSpace, InboundKey(prefix, packetId), ReadOnlyMemory<byte>.Empty));
        }
        catch (StorageException ex)
        {
            throw new MessageNotStoredException(topic, OutcomeOf(ex));
        }
    }

    /// <summary>Forgets <paramref name="clientId"/>'s inbound QoS 2 id <paramref name="packetId"/> (released); completes once durable.</summary>
    /// <exception cref="StorageException">The write failed: the id stays, and the PUBCOMP must wait.</exception>
    public async Task DeleteInboundAsync(string clientId, ushort packetId)
    {
        if (PrefixOf(clientId) is { } prefix)
        {
            await storage.ForState().WriteAsync(new StorageBatch().Delete(InboundSpace, InboundKey(prefix, packetId)));
        }
    }

    /// <summary>What a failed write means for the publisher: 0x97 Quota exceeded for a full store, else 0x80.</summary>
    public static StoreOutcome OutcomeOf(StorageException ex) =>
        ex?.Kind == StorageErrorKind.Full ? StoreOutcome.Full : StoreOutcome.Unavailable;
}
