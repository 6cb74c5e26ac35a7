using RobustMq.Abstractions.Options;
using RobustMq.Abstractions.Sessions;

namespace RobustMq.Grains.Sessions;

/// <summary>The state of one session, kept apart from the grain so a durable store can own it later.</summary>
internal sealed class SessionState
{
    public bool Exists { get; set; }
    public ConnectionRef? Connection { get; set; }
    public string? Node { get; set; }

    /// <summary>Whether the current connection asked for a clean start.</summary>
    public bool StartedClean { get; set; }
    public uint ExpirySeconds { get; set; }
    public WillRecord? Will { get; set; }
    public byte ProtocolVersion { get; set; }
    public string? UserName { get; set; }
    public Dictionary<string, SubscriptionRecord> Subscriptions { get; } = new(StringComparer.Ordinal);

    /// <summary>Messages owed to the client, oldest first; inflight ones (packet id set) lead.</summary>
    public LinkedList<PendingMessage> Queue { get; } = new();
    public HashSet<ushort> PendingPubRel { get; } = [];
    public HashSet<ushort> InboundQoS2 { get; } = [];

    public void Clear()
    {
        Exists = false;
        Connection = null;
        Will = null;
        Subscriptions.Clear();
        Queue.Clear();
        PendingPubRel.Clear();
        InboundQoS2.Clear();
    }

    /// <summary>Unacknowledged messages go back before the queued ones, in the order they were sent.</summary>
    public void ReturnUnacknowledged(PendingMessage[] unacknowledged)
    {
        for (var i = unacknowledged.Length - 1; i >= 0; i--)
        {
            Queue.AddFirst(unacknowledged[i]);
        }
    }

    /// <summary>
    /// Queue a message. A queue already holding <c>Mqtt:MaxQueuedMessages</c> makes room by the drop policy (issue 10,
    /// as EMQX's message queue): the oldest queued QoS 0 message goes first; with none, a new QoS 0 message is the one
    /// dropped; otherwise the oldest message not yet in flight goes (a delivery that started, with a packet id, is never
    /// dropped; when every queued message is in flight the new one is). Returns the dropped message (the caller counts
    /// it as <c>queue_full</c>), or null.
    /// </summary>
    public PendingMessage? Add(PendingMessage message, MqttOptions options)
    {
        if (Queue.Count < options.MaxQueuedMessages)
        {
            Queue.AddLast(message);
            return null;
        }

        var victim = OldestNotInFlight(qos0Only: true);
        if (victim is null && message.QoS == 0)
        {
            return message;
        }

        victim ??= OldestNotInFlight(qos0Only: false);
        if (victim is null)
        {
            return message;
        }

        var dropped = victim.Value;
        Queue.Remove(victim);
        Queue.AddLast(message);
        return dropped;
    }
    /// <summary>
    /// Hand every queued message to the new connection, leaving out expired ones (inflight ones are kept: their
    /// delivery started); <paramref name="expired"/> is how many were left out.
    /// </summary>
    public PendingMessage[] TakePending(long nowUnixMs, out int expired)
    {
        expired = 0;
        var result = new List<PendingMessage>(Queue.Count);
        foreach (var message in Queue)
        {
            if (message.PacketId == 0 && message.Message.IsExpired(nowUnixMs))
            {
                expired++;
                continue;
            }

            result.Add(message);
        }

        Queue.Clear();
        return [.. result];
    }

    private LinkedListNode<PendingMessage>? OldestNotInFlight(bool qos0Only)
    {
        for (var node = Queue.First; node is not null; node = node.Next)
        {
            if (node.Value.PacketId == 0 && (!qos0Only || node.Value.QoS == 0))
            {
                return node;
            }
        }

        return null;
    }

    /// <summary>Everything the session owes, oldest first, emptying the queue (the session is ending).</summary>
    public PendingMessage[] TakeOwed()
    {
        var owed = new PendingMessage[Queue.Count];
        Queue.CopyTo(owed, 0);
        Queue.Clear();
        return owed;
    }
}
