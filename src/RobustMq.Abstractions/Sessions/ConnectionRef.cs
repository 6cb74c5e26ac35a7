namespace RobustMq.Abstractions.Sessions;

/// <summary>Where a client's network connection lives: the node (silo) and a connection id unique on that node.</summary>
[GenerateSerializer, Immutable, Alias("robustmq.connref.v1")]
public sealed record ConnectionRef([property: Id(0)] string Node, [property: Id(1)] long ConnectionId);
