using Orleans.Placement;

namespace RobustMq.Gateway.Nodes;

/// <summary>Places a grain on the silo named by its string key (a silo address in parsable form).</summary>
[GenerateSerializer, Immutable, Alias("robustmq.nodeplacement")]
public sealed class NodePlacement : PlacementStrategy
{
    internal static readonly NodePlacement Instance = new();
}

/// <summary>Marks a grain class whose key names the silo it must live on.</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = false)]
public sealed class NodePlacementAttribute : PlacementAttribute
{
    public NodePlacementAttribute()
        : base(NodePlacement.Instance)
    {
    }
}
