namespace RobustMq.Storage.Postgres;

/// <summary>What the committer knows of a shard's row in <c>shards</c>: whether it exists, and its bounds.</summary>
internal readonly record struct PostgresShard(bool Exists, long Low, long Next)
{
    public static readonly PostgresShard Missing = new(false, 0, 0);
}
