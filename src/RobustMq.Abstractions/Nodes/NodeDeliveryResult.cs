using RobustMq.Abstractions.Messages;

namespace RobustMq.Abstractions.Nodes;

/// <summary>
/// What became of one delivery of a batch handed to a node's dispatcher (<see cref="INodeDispatcherGrain.Deliver"/>):
/// one per item, in the batch's order.
/// </summary>
public enum NodeDeliveryResult : byte
{
    /// <summary>Queued for the client's connection there (and stored, when its session keeps deliveries in storage).</summary>
    Delivered = 0,

    /// <summary>The client has no live connection on that node: the sender hands the delivery to its session.</summary>
    NotConnected = 1,

    /// <summary>
    /// Delivered, and the client's queue is half full: the publisher should wait
    /// (<see cref="INodeDispatcherGrain.WaitForRoom"/>) before it is acknowledged.
    /// </summary>
    Congested = 2,

    /// <summary>The connection's store is full (<see cref="StoreOutcome.Full"/>): the publisher must not be acknowledged.</summary>
    NotStoredFull = 3,

    /// <summary>The connection's store failed otherwise (<see cref="StoreOutcome.Unavailable"/>): the publisher must not be acknowledged.</summary>
    NotStored = 4,
}

/// <summary>Reading a dispatcher's answer to a batch.</summary>
public static class NodeDeliveryResults
{
    /// <summary>The answer when every delivery of the batch was delivered: an empty array, not one result per item.</summary>
    public static readonly NodeDeliveryResult[] AllDelivered = [];

    /// <summary>The result of item <paramref name="index"/> of a batch whose answer is <paramref name="results"/>.</summary>
    public static NodeDeliveryResult Of(NodeDeliveryResult[] results, int index) =>
        results.Length == 0 ? NodeDeliveryResult.Delivered : results[index];

    /// <summary>The result for a store write that failed with <paramref name="exception"/>.</summary>
    public static NodeDeliveryResult NotStored(Exception exception) =>
        exception is MessageNotStoredException { Outcome: StoreOutcome.Full } ? NodeDeliveryResult.NotStoredFull : NodeDeliveryResult.NotStored;

    /// <summary>The store outcome a publisher is refused with for <paramref name="result"/>; null when it was stored or needed no store.</summary>
    public static StoreOutcome? Refusal(NodeDeliveryResult result) => result switch
    {
        NodeDeliveryResult.NotStoredFull => StoreOutcome.Full,
        NodeDeliveryResult.NotStored => StoreOutcome.Unavailable,
        _ => null,
    };
}
