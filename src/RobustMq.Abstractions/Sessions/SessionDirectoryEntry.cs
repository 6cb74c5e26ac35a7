namespace RobustMq.Abstractions.Sessions;

/// <summary>One client id a <see cref="ISessionDirectoryGrain"/> shard holds (<see cref="ISessionDirectoryGrain.List"/>).</summary>
/// <param name="ClientId">The client id.</param>
/// <param name="Node">The node of the connection that holds it; null when no connection does (a stored session).</param>
/// <param name="Persistent">Whether a session grain holds the session (one that outlives its connection).</param>
[GenerateSerializer, Immutable, Alias("robustmq.directoryentry.v1")]
public sealed record SessionDirectoryEntry([property: Id(0)] string ClientId, [property: Id(1)] string? Node, [property: Id(2)] bool Persistent);
