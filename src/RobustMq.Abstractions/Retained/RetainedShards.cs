namespace RobustMq.Abstractions.Retained;

/// <summary>Retained messages are spread over a fixed number of shards by a hash of the topic.</summary>
public static class RetainedShards
{
    public const int Count = 8;

    public static int ShardOf(string topic) => (int)(TopicHash.Of(topic) % Count);
}
