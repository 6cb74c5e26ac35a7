using RobustMq.Abstractions.Messages;

namespace RobustMq.Abstractions.Retained;

/// <summary>A retained shard's answer to a <see cref="RetainedQuery"/>: how many messages match, and the first of them by topic.</summary>
/// <param name="Matched">The messages the shard matches (expired ones left out).</param>
/// <param name="Messages">The first <see cref="RetainedQuery.Take"/> of them by topic (ordinal).</param>
[GenerateSerializer, Immutable, Alias("robustmq.retainedpage.v1")]
public sealed record RetainedPage([property: Id(0)] int Matched, [property: Id(1)] BrokerMessage[] Messages);
