using RobustMq.Abstractions.Messages;

namespace RobustMq.Abstractions.Sessions;

/// <summary>
/// One MQTT session. Key: the client identifier. Owns subscriptions, the offline queue, unacknowledged
/// deliveries, the will and expiry; takes a session over from an older connection.
/// </summary>
public interface ISessionGrain : IGrainWithStringKey
{
    /// <summary>Attach a new connection (closing an older one with 0x8E) and return what the client is owed.</summary>
    Task<ConnectResult> Connect(ConnectRequest request);

    /// <summary>The connection ended; decides the will and starts the expiry clock.</summary>
    Task Disconnect(DisconnectRequest request);

    /// <summary>Add or replace subscriptions; returns, per subscription, whether it already existed.</summary>
    Task<bool[]> Subscribe(ConnectionRef connection, SubscriptionRecord[] subscriptions);

    /// <summary>Remove subscriptions; returns, per filter, whether it existed.</summary>
    Task<bool[]> Unsubscribe(ConnectionRef connection, string[] filters);

    /// <summary>
    /// Messages for this session that found no live local connection: queued, or forwarded to the client's
    /// current node. Interleaves with the session's other calls: a will this session publishes may come
    /// back to it (it subscribes to its own will topic) while that call is still running. Returns once the messages
    /// are stored (a persistent session's queue): <see cref="StoreOutcome.Full"/> or
    /// <see cref="StoreOutcome.Unavailable"/> when the write failed, and then their publisher must not be acknowledged.
    /// </summary>
    /// <exception cref="MessageNotStoredException">Forwarded to the client's connection, which could not store them.</exception>
    [AlwaysInterleave]
    Task<StoreOutcome> Enqueue(PendingMessage[] messages);

    /// <summary>
    /// <see cref="Enqueue"/> again, for messages handed to this session by a call that may or may not have run: a silo
    /// died with it in flight (this session's, or the node of its connection, whose dispatcher stores what it takes).
    /// Those this session already has (by <see cref="BrokerMessage.MessageId"/> and shared group: in its queue, in the
    /// records of its connections, or recovered from a dead connection's records lately) are left out, and QoS 0 ones are
    /// dropped (at most once; counted as <c>node_unreachable</c>), so each is queued once. Same outcomes as
    /// <see cref="Enqueue"/>.
    /// </summary>
    /// <exception cref="MessageNotStoredException">Forwarded to the client's connection, which could not store them.</exception>
    [AlwaysInterleave]
    Task<StoreOutcome> EnqueueAgain(PendingMessage[] messages);

    /// <summary>Read the session.</summary>
    [ReadOnly]
    Task<SessionInfo> GetInfo();

    /// <summary>Close the client's connection from the server side (administrative action, 0x98).</summary>
    Task<bool> Kick();

    /// <summary>
    /// The session directory looks after a session whose grain or connection may have died with a silo: activating the
    /// grain loads the session and runs a will or expiry that is due; a connection on one of <paramref name="deadNodes"/>
    /// (node names), or on a node membership declares dead, is detached as a network failure would (its records come
    /// back to the queue, the will is sent at its delay, the expiry starts).
    /// </summary>
    Task Wake(string[] deadNodes);

    /// <summary>
    /// Ends the session at an operator's request (<c>DELETE /api/v1/sessions/{clientid}</c>) within this call, its will
    /// sent as at expiry (MQTT-3.1.3-9); a connected client is then closed with DISCONNECT 0x98 Administrative action.
    /// A CONNECT after this call gets Session Present 0; the closed connection's DISCONNECT or hand-back, even one that
    /// crossed this call, does not bring the session back. False when there was no session.
    /// </summary>
    Task<bool> Discard();
}
