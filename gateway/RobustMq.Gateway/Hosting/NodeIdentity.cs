using RobustMq.Abstractions.Nodes;

namespace RobustMq.Gateway.Hosting;

/// <summary>This node's name (its silo address) and a short display name for <c>$SYS</c> topics.</summary>
public sealed class NodeIdentity(ILocalSiloDetails silo)
{
    public string Name { get; } = NodeNames.Of(silo.SiloAddress);

    /// <summary>The silo name, usable as a topic level.</summary>
    public string DisplayName { get; } = silo.Name.Replace('/', '_').Replace('+', '_').Replace('#', '_');
}
