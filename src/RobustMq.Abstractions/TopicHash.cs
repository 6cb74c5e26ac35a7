namespace RobustMq.Abstractions;

/// <summary>A string hash that is the same in every process (string.GetHashCode is randomized): FNV-1a over UTF-16 code units.</summary>
public static class TopicHash
{
    public static uint Of(string value)
    {
        var hash = 2166136261u;
        foreach (var c in value)
        {
            hash = (hash ^ c) * 16777619u;
        }

        return hash;
    }
}
