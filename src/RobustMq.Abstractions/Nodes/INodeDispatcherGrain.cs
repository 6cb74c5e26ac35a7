using RobustMq.Abstractions.Routing;
using RobustMq.Abstractions.Sessions;

namespace RobustMq.Abstractions.Nodes;

/// <summary>
/// A node's inbox, placed on that node. Key: the node name (the silo address in parsable form).
/// Receives route changes for the node's route cache and batches of messages for its clients.
/// </summary>
public interface INodeDispatcherGrain : IGrainWithStringKey
{
    /// <summary>One topic shard's changes for the node's route cache (<see cref="IRouteReplica.Apply"/>).</summary>
    Task ApplyRoutes(RouteBatch batch);

    /// <summary>
    /// Deliver to live local connections; returns the deliveries whose client has no connection here, once those
    /// delivered are stored where their connection keeps them (<see cref="ILocalDelivery.TryDeliver"/>).
    /// </summary>
    /// <exception cref="Messages.MessageNotStoredException">A delivery could not be stored: its publisher must not be acknowledged.</exception>
    Task<NodeDelivery[]> Deliver(NodeDelivery[] batch);

    /// <summary>Close a connection (DISCONNECT with the reason on MQTT 5); returns once it has let go of its routes.</summary>
    Task<bool> Close(ConnectionRef connection, byte reasonCode);

    /// <summary>The session of a live clean-session connection on this node (no session grain holds it).</summary>
    Task<SessionInfo?> Describe(ConnectionRef connection);
}
