namespace RobustMq.Abstractions.Sessions;

/// <summary>
/// The answer to <see cref="ISessionDirectoryGrain.Claim"/>: the connection that held the client id before
/// (to be closed with 0x8E), and whether a <see cref="ISessionGrain"/> holds state for the id.
/// </summary>
[GenerateSerializer, Immutable, Alias("robustmq.sessionclaim.v1")]
public sealed record SessionClaim([property: Id(0)] ConnectionRef? Previous, [property: Id(1)] bool Backed);
