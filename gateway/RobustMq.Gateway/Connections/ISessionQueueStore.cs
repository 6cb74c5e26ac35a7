using RobustMq.Abstractions.Messages;
using RobustMq.Abstractions.Sessions;

namespace RobustMq.Gateway.Connections;

/// <summary>
/// Where a connection serving a persistent session keeps its QoS 1/2 deliveries until its client acknowledges them
/// (issue 10: nothing acknowledged to a publisher is lost in a crash): the session's queue records, one per message,
/// keyed by the client id and <see cref="PendingMessage.StoreSequence"/> in the range the session reserved for the
/// connection (<see cref="ConnectResult.QueueSequence"/>). The host provides it from its storage engines; the gateway
/// never touches storage itself. Writes are applied in the order they are made.
/// </summary>
public interface ISessionQueueStore
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
}

/// <summary>A node without storage: no session gets a <see cref="ConnectResult.QueueSequence"/> there, so this is never asked.</summary>
public sealed class NoSessionQueueStore : ISessionQueueStore
{
    public Task PutAsync(string clientId, PendingMessage message) =>
        Task.FromException(new MessageNotStoredException(message?.Message.Topic ?? "", StoreOutcome.Unavailable));

    public Task DeleteAsync(string clientId, long sequence) => Task.CompletedTask;

    public Task PutInboundAsync(string clientId, string topic, ushort packetId) =>
        Task.FromException(new MessageNotStoredException(topic, StoreOutcome.Unavailable));

    public Task DeleteInboundAsync(string clientId, ushort packetId) => Task.CompletedTask;
}
