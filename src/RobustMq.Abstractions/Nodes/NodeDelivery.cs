using RobustMq.Abstractions.Sessions;

namespace RobustMq.Abstractions.Nodes;

/// <summary>One message for one client, in a batch sent to a node's dispatcher.</summary>
[GenerateSerializer, Immutable, Alias("robustmq.nodedelivery.v1")]
public sealed record NodeDelivery([property: Id(0)] string ClientId, [property: Id(1)] PendingMessage Message);
