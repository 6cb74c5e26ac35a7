namespace RobustMq.Abstractions.Sessions;

/// <summary>
/// A client id a node's connection holds, as that node reports it to a <see cref="ISessionDirectoryGrain"/> shard that
/// starts anew (<see cref="Nodes.INodeDispatcherGrain.Holders"/>).
/// </summary>
/// <param name="ClientId">The client id.</param>
/// <param name="Connection">The connection that holds it.</param>
/// <param name="Persistent">Whether a session grain holds the session (one that outlives the connection).</param>
[GenerateSerializer, Immutable, Alias("robustmq.directoryholder.v1")]
public sealed record DirectoryHolder([property: Id(0)] string ClientId, [property: Id(1)] ConnectionRef Connection, [property: Id(2)] bool Persistent);
