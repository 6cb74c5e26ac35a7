using Orleans.Runtime.Placement;
using RobustMq.Abstractions.Nodes;

namespace RobustMq.Gateway.Nodes;

/// <summary>Puts a <see cref="NodePlacement"/> grain on the silo its key names, when that silo is compatible.</summary>
public sealed class NodePlacementDirector : IPlacementDirector
{
    public Task<SiloAddress> OnAddActivation(PlacementStrategy strategy, PlacementTarget target, IPlacementContext context)
    {
        var compatible = context.GetCompatibleSilos(target);
        var wanted = SiloAddress.FromParsableString(target.GrainIdentity.Key.ToString()!);
        foreach (var silo in compatible)
        {
            if (silo.Equals(wanted))
            {
                return Task.FromResult(silo);
            }
        }

        throw new NodeNotActiveException($"Node {wanted} is not an active silo; cannot place {target.GrainIdentity}.");
    }
}
