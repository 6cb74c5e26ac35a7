namespace RobustMq.Abstractions.Sessions;

/// <summary>
/// Which connection holds each client id, cluster-wide, and whether a <see cref="ISessionGrain"/> holds state
/// for it. Key: <see cref="SessionDirectory.ShardOf"/> of the client id.
/// </summary>
/// <remarks>
/// A clean session (session expiry 0) lives only as long as its connection, so it is served by the connection
/// alone: its entry here is what makes the client id unique (takeover) and findable, and no session grain
/// activation is held for it. Every other session is a <see cref="ISessionGrain"/>, which claims its id here
/// too (so a clean connection with the same id goes through it).
/// </remarks>
public interface ISessionDirectoryGrain : IGrainWithIntegerKey
{
    /// <summary>
    /// Claim the client id for a connection. A clean session (<paramref name="backed"/> false) gets it only when
    /// no session grain holds state for the id (otherwise nothing changes and the answer says
    /// <see cref="SessionClaim.Backed"/>: go through the session grain). A session grain always gets it.
    /// </summary>
    Task<SessionClaim> Claim(string clientId, ConnectionRef connection, bool backed);

    /// <summary>
    /// Sessions loaded from storage as the silo starts: each of these ids that nobody holds is held by its session
    /// grain, with no connection yet, so a client that returns with a clean session (expiry 0) goes through the grain,
    /// which ends the stored session (MQTT-3.1.2-4) instead of leaving its routes beside the new connection.
    /// </summary>
    Task ClaimStored(string[] clientIds);

    /// <summary>A clean session's connection ended: the id is free unless another connection claimed it since.</summary>
    Task Release(string clientId, ConnectionRef connection);

    /// <summary>The session grain's state ended (expired, or replaced by a clean start): the id is free.</summary>
    Task Forget(string clientId);

    /// <summary>
    /// These nodes (node names) died: the ids their clean-session connections held are free; the sessions whose
    /// connections were there, and the disconnected sessions whose grains may have been, are woken
    /// (<see cref="ISessionGrain.Wake"/>) now or when their will or expiry is due. Called by the shard itself as its
    /// silo's membership declares a silo dead.
    /// </summary>
    Task ForgetNodes(string[] nodes);

    /// <summary>The connection holding the id and whether a session grain backs it; null when nobody holds it.</summary>
    [ReadOnly]
    Task<SessionClaim?> Lookup(string clientId);

    /// <summary>
    /// A page's worth of the client ids the shard holds (connected clean sessions, and persistent sessions connected or
    /// only stored) for the admin API's session list (<c>GET /api/v1/sessions</c>): those <paramref name="query"/>
    /// selects, how many, and the first <see cref="SessionQuery.Take"/> in its order (the caller merges every shard's answer).
    /// </summary>
    [ReadOnly]
    Task<SessionPage> Query(SessionQuery query);

    /// <summary>How many client ids the shard holds (connected or only stored): the admin overview's session count.</summary>
    [ReadOnly]
    Task<int> Count();
}
