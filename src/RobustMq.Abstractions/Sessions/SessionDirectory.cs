namespace RobustMq.Abstractions.Sessions;

/// <summary>Client ids are spread over a fixed number of <see cref="ISessionDirectoryGrain"/> shards by a stable hash.</summary>
public static class SessionDirectory
{
    public const int Shards = 64;

    public static int ShardOf(string clientId) => (int)(TopicHash.Of(clientId) % Shards);

    public static ISessionDirectoryGrain For(IGrainFactory grains, string clientId) =>
        grains.GetGrain<ISessionDirectoryGrain>(ShardOf(clientId));
}
