namespace RobustMq.Gateway.Nodes;

/// <summary>What happened to a message handed to a connection on this node.</summary>
public enum LocalDelivery
{
    /// <summary>The client has no live connection here (the caller hands the message to its session).</summary>
    NotConnected = 0,

    /// <summary>Queued for the client.</summary>
    Delivered,

    /// <summary>
    /// Queued, and the client's queue is half full: the publisher should wait
    /// (<see cref="ILocalDelivery.WaitForRoomAsync"/>) before sending more.
    /// </summary>
    Congested,
}
