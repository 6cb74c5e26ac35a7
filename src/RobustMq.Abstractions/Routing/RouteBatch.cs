namespace RobustMq.Abstractions.Routing;

/// <summary>
/// The route changes one <see cref="ITopicShardGrain.Apply"/> made to its shard, as pushed to every node's route cache.
/// <see cref="Epoch"/> names the shard's activation and <see cref="Version"/> counts its changes from 1, so a node sees
/// when it missed a push (a version gap, or another epoch) and loads the shard's <see cref="RouteSnapshot"/> again.
/// </summary>
[GenerateSerializer, Immutable, Alias("robustmq.routebatch.v1")]
public sealed record RouteBatch(
    [property: Id(0)] int Shard,
    [property: Id(1)] Guid Epoch,
    [property: Id(2)] long Version,
    [property: Id(3)] RouteChange[] Changes);

/// <summary>Every route of one shard as of (<see cref="Epoch"/>, <see cref="Version"/>): what a node starts from.</summary>
[GenerateSerializer, Immutable, Alias("robustmq.routesnapshot.v1")]
public sealed record RouteSnapshot(
    [property: Id(0)] int Shard,
    [property: Id(1)] Guid Epoch,
    [property: Id(2)] long Version,
    [property: Id(3)] RouteEntry[] Routes);

/// <summary>Where a shard's change history stands: its activation and how many changes it has made.</summary>
[GenerateSerializer, Immutable, Alias("robustmq.routeversion.v1")]
public readonly record struct RouteVersion([property: Id(0)] Guid Epoch, [property: Id(1)] long Version);
