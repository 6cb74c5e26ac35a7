using RobustMq.Abstractions.Sessions;

namespace RobustMq.Gateway.Nodes;

/// <summary>The node-local side of delivery (a service on every silo): hands messages to live connections.</summary>
public interface ILocalDelivery
{
    /// <summary>
    /// Deliver to the client's connection on this node. <paramref name="stored"/> completes once the delivery is in
    /// storage, when the connection keeps its QoS 1/2 deliveries there (a persistent session,
    /// <see cref="ConnectResult.QueueSequence"/>); it faults with the store's exception when the write failed, and then
    /// the publisher must not be acknowledged. Completed at once otherwise.
    /// </summary>
    LocalDelivery TryDeliver(string clientId, PendingMessage message, out Task stored);

    /// <summary>
    /// Back-pressure: completes when the client's queue has room again, when it has not drained within
    /// <c>Mqtt:BackPressureTimeoutMs</c> (it then stops holding publishers back), or when it closed.
    /// </summary>
    Task WaitForRoomAsync(string clientId, CancellationToken cancellationToken);

    /// <summary>Whether the client has a live connection on this node.</summary>
    bool IsConnected(string clientId);

    /// <summary>
    /// Close a connection from the server side with an MQTT 5 reason code, and wait (bounded) until it has let go
    /// of its routes, so a connection taking its client id over cannot have its new routes removed by the old one.
    /// </summary>
    Task<bool> CloseAsync(ConnectionRef connection, byte reasonCode);

    /// <summary>
    /// Close a connection whose session a new CONNECT takes over (0x8E) and return what it owed its client
    /// (<see cref="INodeDispatcherGrain.TakeOver"/>).
    /// </summary>
    Task<TakeoverResult> TakeOverAsync(ConnectionRef connection);

    /// <summary>The session of a live connection that needs no session grain (clean session); null otherwise.</summary>
    SessionInfo? Describe(ConnectionRef connection);

    /// <summary>The client ids local connections hold in a session-directory shard (<see cref="INodeDispatcherGrain.Holders"/>).</summary>
    DirectoryHolder[] Holders(int directoryShard);
}
