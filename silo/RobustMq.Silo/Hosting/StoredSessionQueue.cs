using RobustMq.Abstractions.Sessions;
using RobustMq.Gateway.Connections;
using RobustMq.Grains.Sessions;

namespace RobustMq.Silo.Hosting;

/// <summary>The gateway's <see cref="ISessionQueueStore"/> on this node: the session queue records in the node's storage engines.</summary>
internal sealed class StoredSessionQueue(SessionQueue queue) : ISessionQueueStore
{
    public Task PutAsync(string clientId, PendingMessage message) => queue.PutAsync(clientId, message);

    public Task DeleteAsync(string clientId, long sequence) => queue.DeleteAsync(clientId, sequence);

    public Task PutInboundAsync(string clientId, string topic, ushort packetId) => queue.PutInboundAsync(clientId, topic, packetId);

    public Task DeleteInboundAsync(string clientId, ushort packetId) => queue.DeleteInboundAsync(clientId, packetId);
}
