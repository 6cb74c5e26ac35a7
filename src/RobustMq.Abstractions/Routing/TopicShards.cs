namespace RobustMq.Abstractions.Routing;

/// <summary>How filters map to topic shard grains: by first level; wildcard-first filters share one shard.</summary>
public static class TopicShards
{
    public const string WildcardShard = "+#";
    public const string EmptyLevelShard = "/";

    public static string ShardOf(string filter)
    {
        var slash = filter.IndexOf('/', StringComparison.Ordinal);
        var first = slash < 0 ? filter : filter[..slash];
        if (first.Length == 0)
        {
            return EmptyLevelShard;
        }

        return first is "+" or "#" ? WildcardShard : first;
    }
}
