using RobustMq.Abstractions.Messages;

namespace RobustMq.Abstractions.Retained;

/// <summary>One shard of the retained-message store. Key: shard number (see <see cref="RetainedShards"/>).</summary>
public interface IRetainedStoreGrain : IGrainWithIntegerKey
{
    /// <summary>
    /// Store the message, or clear the topic when its payload is empty (MQTT-3.3.1-10); returns once it is stored as
    /// <c>Storage:Sync</c> promises. Anything but <see cref="StoreOutcome.Stored"/>: nothing changed (the old retained
    /// message, if any, stays).
    /// </summary>
    Task<StoreOutcome> Set(BrokerMessage message);

    /// <summary>Every retained message whose topic the filter matches, expired ones left out.</summary>
    [ReadOnly]
    Task<BrokerMessage[]> Match(string filter);

    /// <summary>
    /// <see cref="Match"/> for many filters in one call (one SUBSCRIBE's): element <c>i</c> holds the messages that
    /// <paramref name="filters"/>[i] matches.
    /// </summary>
    [ReadOnly]
    Task<BrokerMessage[][]> MatchMany(string[] filters);

    /// <summary>
    /// A page's worth of the shard for the admin API's list: the messages <paramref name="query"/> selects (expired ones
    /// left out), how many, and the first <see cref="RetainedQuery.Take"/> by topic (the caller merges every shard's answer).
    /// </summary>
    [ReadOnly]
    Task<RetainedPage> Query(RetainedQuery query);

    [ReadOnly]
    Task<int> Count();
}
