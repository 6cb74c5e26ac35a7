namespace RobustMq.Abstractions.Retained;

/// <summary>Retained messages are spread over a fixed number of shards by a hash of the topic.</summary>
public static class RetainedShards
{
    public const int Count = 8;

    public static int ShardOf(string topic)
    {
        // FNV-1a over UTF-16 code units: stable across processes (string.GetHashCode is not).
        var hash = 2166136261u;
        foreach (var c in topic)
        {
            hash = (hash ^ c) * 16777619u;
        }

        return (int)(hash % Count);
    }
}
