namespace RobustMq.Abstractions.Nodes;

/// <summary>
/// A call to a node's grain (its dispatcher) was refused before it was sent: that node is not an active silo (it left,
/// or was declared dead). The call did not run (<see cref="NodeCalls.NeverRan"/>).
/// </summary>
[GenerateSerializer, Alias("robustmq.nodenotactive.v1")]
public sealed class NodeNotActiveException : OrleansException
{
    public NodeNotActiveException()
    {
    }

    public NodeNotActiveException(string message)
        : base(message)
    {
    }

    public NodeNotActiveException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
