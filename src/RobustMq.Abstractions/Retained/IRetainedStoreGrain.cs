using RobustMq.Abstractions.Messages;

namespace RobustMq.Abstractions.Retained;

/// <summary>One shard of the retained-message store. Key: shard number (see <see cref="RetainedShards"/>).</summary>
public interface IRetainedStoreGrain : IGrainWithIntegerKey
{
    /// <summary>Store the message, or clear the topic when its payload is empty (MQTT-3.3.1-10).</summary>
    Task Set(BrokerMessage message);

    /// <summary>Every retained message whose topic the filter matches, expired ones left out.</summary>
    [ReadOnly]
    Task<BrokerMessage[]> Match(string filter);

    [ReadOnly]
    Task<int> Count();
}
