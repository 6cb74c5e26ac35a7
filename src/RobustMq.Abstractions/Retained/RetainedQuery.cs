using RobustMq.Abstractions.Listing;
using RobustMq.Abstractions.Messages;

namespace RobustMq.Abstractions.Retained;

/// <summary>
/// A page's worth of one retained shard (<see cref="IRetainedStoreGrain.Query"/>), as
/// <c>GET /api/v1/retainer/messages</c> lists it: the messages whose topic <see cref="Filter"/> matches and holds
/// <see cref="TopicPart"/>, by topic (ordinal), the first <see cref="Take"/> of them (<see cref="ShardRows"/>).
/// </summary>
/// <param name="Filter">A topic filter the topics match (<c>#</c>: every topic not beginning with '$', MQTT-4.7.2-1).</param>
/// <param name="TopicPart">A substring of the topic (ordinal, any case); null: any.</param>
/// <param name="Take">How many messages to answer at most (the page's last row number, page x limit).</param>
[GenerateSerializer, Immutable, Alias("robustmq.retainedquery.v1")]
public sealed record RetainedQuery([property: Id(0)] string Filter, [property: Id(1)] string? TopicPart, [property: Id(2)] int Take)
{
    /// <summary>By topic, ordinal (a topic has one retained message, so this orders them all).</summary>
    public static readonly IComparer<BrokerMessage> Order = Comparer<BrokerMessage>.Create((a, b) => string.CompareOrdinal(a?.Topic, b?.Topic));

    /// <summary>The shard's answer from the messages <see cref="Filter"/> matched there.</summary>
    public RetainedPage Answer(IEnumerable<BrokerMessage> matched)
    {
        var (count, top) = ShardRows.Top(matched.Where(m => ShardRows.Has(m.Topic, TopicPart)), Order, Take);
        return new RetainedPage(count, top);
    }
}
