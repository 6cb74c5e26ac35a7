using RobustMq.Abstractions.Sessions;
using RobustMq.Gateway.Connections;
using RobustMq.Grains.Sessions;

namespace RobustMq.Silo.Hosting;

/// <summary>The gateway's <see cref="ISessionStore"/> on this node: session records (queue, inbound QoS 2 ids, subscriptions) in the node's storage engines.</summary>
internal sealed class StoredSessionState(SessionQueue queue, SessionSubscriptions subscriptions) : ISessionStore
{
    public Task PutAsync(string clientId, PendingMessage message) => queue.PutAsync(clientId, message);

    public Task DeleteAsync(string clientId, long sequence) => queue.DeleteAsync(clientId, sequence);

    public Task PutInboundAsync(string clientId, string topic, ushort packetId) => queue.PutInboundAsync(clientId, topic, packetId);

    public Task DeleteInboundAsync(string clientId, ushort packetId) => queue.DeleteInboundAsync(clientId, packetId);

    public Task SaveSubscriptionsAsync(string clientId, IReadOnlyList<SubscriptionRecord> put, IReadOnlyList<string> removed) =>
        subscriptions.SaveAsync(clientId, put, removed);
}
