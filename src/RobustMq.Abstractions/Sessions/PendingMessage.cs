using RobustMq.Abstractions.Messages;

namespace RobustMq.Abstractions.Sessions;

/// <summary>
/// A message owed to a session's client. <see cref="PacketId"/> is non-zero when it was already sent
/// (inflight, unacknowledged): it is resent with DUP and the same packet id on reconnect (MQTT-4.4.0-1).
/// <see cref="ShareGroup"/> and <see cref="ShareFilter"/> are set when it reached the client through a
/// <c>$share/{group}/{filter}</c> subscription: if the client's session ends before it acknowledged the message,
/// it goes to another member of that group (MQTT 5 section 4.8.2). <see cref="HandedOnFrom"/> names the members it
/// was already handed on from (oldest first), so it never goes back to one of them and is handed on a bounded number
/// of times.
/// <see cref="HandedOn"/> is set when a connection that ended gave it back to its session: the connection it is
/// delivered to next may serve another user name (a takeover), so it checks the ACL read access again.
/// <see cref="StoreSequence"/> is non-zero when the message is kept in storage as a record of its session's queue (a
/// persistent session's QoS 1/2 message, stored before its publisher was acknowledged): the sequence in the record's
/// key, so whoever holds it (the connection, then the session) deletes that record once the message is acknowledged
/// or dropped. <see cref="Released"/>: a QoS 2 delivery whose PUBREC came and whose PUBREL was sent (MQTT 4.3.3): it
/// is owed a PUBCOMP only, and on reconnect PUBREL is resent for it, never the PUBLISH.
/// </summary>
[GenerateSerializer, Immutable, Alias("robustmq.pending.v1")]
public sealed record PendingMessage(
    [property: Id(0)] BrokerMessage Message,
    [property: Id(1)] byte QoS,
    [property: Id(2)] bool RetainFlag,
    [property: Id(3)] uint[]? SubscriptionIds,
    [property: Id(4)] ushort PacketId = 0,
    [property: Id(5)] string? ShareGroup = null,
    [property: Id(6)] string? ShareFilter = null,
    [property: Id(7)] string[]? HandedOnFrom = null,
    [property: Id(8)] bool HandedOn = false,
    [property: Id(9)] long StoreSequence = 0,
    [property: Id(10)] bool Released = false)
{
    /// <summary>Whether it came through a shared subscription (and may go to another member of the group).</summary>
    public bool IsShared => ShareGroup is not null;

    /// <summary>How many times it was handed on from a member of its group to another.</summary>
    public int HandOns => HandedOnFrom?.Length ?? 0;

    /// <summary>Whether it was already handed on from <paramref name="clientId"/> (that member's session ended owing it).</summary>
    public bool WasHandedOnFrom(string clientId) => HandedOnFrom is { } from && Array.IndexOf(from, clientId) >= 0;
}
