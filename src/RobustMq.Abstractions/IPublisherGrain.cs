using RobustMq.Abstractions.Messages;

namespace RobustMq.Abstractions;

/// <summary>
/// The way for backend services (Orleans clients) to publish into the broker. Key: any integer (a
/// stateless worker on every silo). Returns the number of subscribers matched.
/// </summary>
public interface IPublisherGrain : IGrainWithIntegerKey
{
    Task<int> Publish(BrokerMessage message);
}
