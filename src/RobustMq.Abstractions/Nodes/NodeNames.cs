namespace RobustMq.Abstractions.Nodes;

/// <summary>A node's name is its silo address in parsable form: the key of its <c>INodeDispatcherGrain</c>.</summary>
public static class NodeNames
{
    public static string Of(SiloAddress silo) => silo.ToParsableString();
}
