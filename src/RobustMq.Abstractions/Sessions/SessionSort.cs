namespace RobustMq.Abstractions.Sessions;

/// <summary>The sort key of a <see cref="SessionQuery"/> (the <c>sort</c> of <c>GET /api/v1/sessions</c> a directory shard can apply).</summary>
public enum SessionSort : byte
{
    /// <summary>The client id.</summary>
    ClientId = 0,

    /// <summary>The node of the connection that holds the id (null, a stored session, first when up).</summary>
    Node = 1,
}
