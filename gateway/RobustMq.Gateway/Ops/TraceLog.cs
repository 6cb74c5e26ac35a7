using RobustMq.Gateway.Nodes;

namespace RobustMq.Gateway.Ops;

/// <summary>One node's file of a trace (<see cref="INodeControlGrain.TraceLog"/>).</summary>
[GenerateSerializer, Immutable, Alias("robustmq.tracelog")]
public sealed record TraceLog(
    [property: Id(0)] string Node,
    [property: Id(1)] string Text,
    [property: Id(2)] bool Truncated,
    [property: Id(3)] bool Full,
    [property: Id(4)] long Dropped);
