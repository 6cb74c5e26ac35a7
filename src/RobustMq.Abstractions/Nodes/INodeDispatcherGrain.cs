using RobustMq.Abstractions.Routing;
using RobustMq.Abstractions.Sessions;

namespace RobustMq.Abstractions.Nodes;

/// <summary>
/// A node's inbox, placed on that node. Key: the node name (the silo address in parsable form).
/// Receives route changes for the node's route cache and batches of messages for its clients.
/// </summary>
public interface INodeDispatcherGrain : IGrainWithStringKey
{
    /// <summary>
    /// One topic shard's changes for the node's route cache. True when they are in effect there once this returns
    /// (applied, or applied before); false when the node is behind on that shard (it missed a push, or knew an earlier
    /// activation of it) and holds them: the shard then sends its whole table (<see cref="LoadRoutes"/>), so a change
    /// is in effect on every live node before its SUBSCRIBE is answered.
    /// </summary>
    Task<bool> ApplyRoutes(RouteBatch batch);

    /// <summary>
    /// A topic shard's whole table, for a node that was behind on it (<see cref="ApplyRoutes"/> false): its routes
    /// become the snapshot's, and the pushes it held that are newer follow.
    /// </summary>
    Task LoadRoutes(RouteSnapshot snapshot);

    /// <summary>
    /// Deliver to live local connections, in the batch's order; returns one <see cref="NodeDeliveryResult"/> per item
    /// (or <see cref="NodeDeliveryResults.AllDelivered"/>, empty, when every item was delivered), once the deliveries
    /// are stored where their connections keep them (the node\'s local delivery (TryDeliver)). A node's publish path
    /// keeps one such call in flight per other node, so a batch holds the messages of many publishers (MQTT 4.6 order
    /// per publisher). It does not wait for slow clients: it reports them <see cref="NodeDeliveryResult.Congested"/>.
    /// </summary>
    Task<NodeDeliveryResult[]> Deliver(NodeDelivery[] batch);

    /// <summary>
    /// Back-pressure across nodes: completes once every client named has room in its queue again (each wait bounded by
    /// <c>Mqtt:BackPressureTimeoutMs</c>, or ended by its connection closing).
    /// </summary>
    Task WaitForRoom(string[] clientIds);

    /// <summary>Close a connection (DISCONNECT with the reason on MQTT 5); returns once it has let go of its routes.</summary>
    Task<bool> Close(ConnectionRef connection, byte reasonCode);

    /// <summary>
    /// Close a connection whose session a new CONNECT takes over (DISCONNECT 0x8E on MQTT 5, MQTT-3.1.4-3) and return
    /// what it owed its client, which the session gives the new connection to send again with the original packet ids
    /// (MQTT-4.4.0-1); then the old connection does not hand it to the session grain itself. Closed is false when the
    /// connection is not on this node. Bounded by the connection's close (about 10 s).
    /// </summary>
    Task<TakeoverResult> TakeOver(ConnectionRef connection);

    /// <summary>The session of a live clean-session connection on this node (no session grain holds it).</summary>
    Task<SessionInfo?> Describe(ConnectionRef connection);

    /// <summary>
    /// The client ids this node's connections hold in session-directory shard <paramref name="directoryShard"/>
    /// (<see cref="SessionDirectory.ShardOf"/>): what a directory shard that starts anew (its silo died) asks every
    /// live node, so a second CONNECT with one of those ids still takes the first over.
    /// </summary>
    Task<DirectoryHolder[]> Holders(int directoryShard);
}
