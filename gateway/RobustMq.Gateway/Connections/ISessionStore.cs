using RobustMq.Abstractions.Messages;
using RobustMq.Abstractions.Sessions;

namespace RobustMq.Gateway.Connections;

/// <summary>
/// Where a connection serving a session that a session grain holds keeps that session's state while it serves it:
/// its QoS 1/2 deliveries until the client acknowledges them (issue 10: nothing acknowledged to a publisher is lost in
/// a crash), as queue records keyed by the client id and <see cref="PendingMessage.StoreSequence"/> in the range the
/// session reserved for the connection (<see cref="ConnectResult.QueueSequence"/>); the inbound QoS 2 ids it sent
/// PUBREC for; and its subscriptions. The grain reads them back when it takes the session back. The host provides it
/// from its storage engines; the gateway never touches storage itself. Writes are applied in the order they are made.
/// </summary>
public interface ISessionStore
{
    /// <summary>Stores <paramref name="message"/> (its <see cref="PendingMessage.StoreSequence"/> set); completes once durable.</summary>
    /// <exception cref="MessageNotStoredException">The write failed: the publisher must not be acknowledged.</exception>
    Task PutAsync(string clientId, PendingMessage message);

    /// <summary>Deletes the record of a message that was acknowledged (or will never be delivered).</summary>
    /// <exception cref="Exception">The store's error: the record stays and the message is delivered again after a restart.</exception>
    Task DeleteAsync(string clientId, long sequence);

    /// <summary>
    /// Records that the client sent QoS 2 message <paramref name="packetId"/> (on <paramref name="topic"/>) and is owed
    /// its PUBREC; completes once durable, so after a crash a resend is known as one.
    /// </summary>
    /// <exception cref="MessageNotStoredException">The write failed: the PUBREC must not report success.</exception>
    Task PutInboundAsync(string clientId, string topic, ushort packetId);

    /// <summary>Forgets the inbound QoS 2 id <paramref name="packetId"/> (PUBREL came); completes once durable, before the PUBCOMP.</summary>
    /// <exception cref="Exception">The store's error: the id stays.</exception>
    Task DeleteInboundAsync(string clientId, ushort packetId);

    /// <summary>
    /// Stores the subscriptions <paramref name="put"/> and deletes <paramref name="removed"/> (filters as subscribed) of
    /// the session, in one write; completes once durable, before the SUBACK/UNSUBACK. The session grain reads them when
    /// the connection hands the session back.
    /// </summary>
    /// <exception cref="Exception">The store's error: the SUBACK reports failure.</exception>
    Task SaveSubscriptionsAsync(string clientId, IReadOnlyList<SubscriptionRecord> put, IReadOnlyList<string> removed);
}

/// <summary>A node without storage: no session gets a <see cref="ConnectResult.QueueSequence"/> there, so this is never asked.</summary>
public sealed class NoSessionStore : ISessionStore
{
    public Task PutAsync(string clientId, PendingMessage message) =>
        Task.FromException(new MessageNotStoredException(message?.Message.Topic ?? "", StoreOutcome.Unavailable));

    public Task DeleteAsync(string clientId, long sequence) => Task.CompletedTask;

    public Task PutInboundAsync(string clientId, string topic, ushort packetId) =>
        Task.FromException(new MessageNotStoredException(topic, StoreOutcome.Unavailable));

    public Task DeleteInboundAsync(string clientId, ushort packetId) => Task.CompletedTask;

    public Task SaveSubscriptionsAsync(string clientId, IReadOnlyList<SubscriptionRecord> put, IReadOnlyList<string> removed) =>
        Task.FromException(new InvalidOperationException("this node keeps no sessions"));
}
