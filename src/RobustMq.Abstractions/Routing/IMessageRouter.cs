using RobustMq.Abstractions.Messages;

namespace RobustMq.Abstractions.Routing;

/// <summary>
/// The node-local publish path (a service on every silo, not a grain): stores or clears the retained
/// message and delivers to every matching subscriber from the node's route cache.
/// </summary>
public interface IMessageRouter
{
    /// <summary>Publish; returns the number of subscribers matched.</summary>
    ValueTask<int> PublishAsync(BrokerMessage message, CancellationToken cancellationToken = default);
}
