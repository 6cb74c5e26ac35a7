namespace RobustMq.Abstractions.Nodes;

/// <summary>What a failed grain call says about whether it ran.</summary>
public static class NodeCalls
{
    /// <summary>
    /// True when Orleans refused the call before it was sent (no connection to the target silo, no activation could be
    /// addressed, or the node it is placed on is not active: <see cref="NodeNotActiveException"/>): it did not run, so its work may be given to someone else without doing it twice. False for anything
    /// else, a timeout or <see cref="SiloUnavailableException"/> (the silo died with the call in flight) included: it
    /// may have run.
    /// </summary>
    public static bool NeverRan(Exception exception) =>
        exception is NodeNotActiveException or (OrleansMessageRejectionException and not SiloUnavailableException);
}
