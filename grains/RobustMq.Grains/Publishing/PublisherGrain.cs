using RobustMq.Abstractions;
using RobustMq.Abstractions.Messages;
using RobustMq.Abstractions.Routing;

namespace RobustMq.Grains.Publishing;

/// <summary>Backend services publish through this stateless worker; it uses the node-local publish path.</summary>
[StatelessWorker]
public sealed class PublisherGrain(IMessageRouter router) : Grain, IPublisherGrain
{
    public async Task<int> Publish(BrokerMessage message) => await router.PublishAsync(message);
}
