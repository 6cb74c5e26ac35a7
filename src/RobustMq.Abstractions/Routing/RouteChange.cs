namespace RobustMq.Abstractions.Routing;

/// <summary>An addition or removal in the route table, pushed to every node's route cache.</summary>
[GenerateSerializer, Immutable, Alias("robustmq.routechange.v1")]
public sealed record RouteChange([property: Id(0)] bool Add, [property: Id(1)] RouteEntry Entry);
