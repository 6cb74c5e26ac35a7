using RobustMq.Abstractions.Messages;
using RobustMq.Abstractions.Retained;
using RobustMq.Abstractions.Routing;
using RobustMq.Abstractions.Sessions;

namespace RobustMq.Silo.Admin;

/// <summary>
/// The cluster's tables as the admin API reads them, from the grains that own them (never one node's copy): the route
/// table from every topic shard (<see cref="ITopicShardGrain"/>, <see cref="TopicShards.Count"/> of them), the client ids
/// from every session-directory shard (<see cref="ISessionDirectoryGrain"/>), the retained messages from every retained
/// shard (<see cref="IRetainedStoreGrain"/>). Each shard answers within <see cref="ShardTimeout"/>.
/// </summary>
internal static class ClusterTables
{
    public static readonly TimeSpan ShardTimeout = TimeSpan.FromSeconds(5);

    /// <summary>Every route of the cluster.</summary>
    /// <exception cref="ShardsNotAnsweringException">A shard did not answer.</exception>
    public static async Task<List<RouteEntry>> RoutesAsync(IGrainFactory grains) =>
        await AllAsync(TopicShards.Count, shard => grains.GetGrain<ITopicShardGrain>(shard).GetRoutes(), "topic");

    /// <summary>Every client id a session-directory shard holds: connected clients and stored sessions.</summary>
    /// <exception cref="ShardsNotAnsweringException">A shard did not answer.</exception>
    public static async Task<List<SessionDirectoryEntry>> SessionsAsync(IGrainFactory grains) =>
        await AllAsync(SessionDirectory.Shards, shard => grains.GetGrain<ISessionDirectoryGrain>(shard).List(), "session directory");

    /// <summary>How many client ids the session-directory shards hold: the cluster's sessions, connected or only stored.</summary>
    /// <exception cref="ShardsNotAnsweringException">A shard did not answer.</exception>
    public static async Task<long> SessionCountAsync(IGrainFactory grains) =>
        (await AllAsync(SessionDirectory.Shards, async shard => new[] { await grains.GetGrain<ISessionDirectoryGrain>(shard).Count() }, "session directory")).Sum(n => (long)n);

    /// <summary>Every retained message whose topic <paramref name="filter"/> matches, expired ones left out.</summary>
    /// <exception cref="ShardsNotAnsweringException">A shard did not answer.</exception>
    public static async Task<List<BrokerMessage>> RetainedAsync(IGrainFactory grains, string filter) =>
        await AllAsync(RetainedShards.Count, shard => grains.GetGrain<IRetainedStoreGrain>(shard).Match(filter), "retained");

    private static async Task<List<T>> AllAsync<T>(int shards, Func<int, Task<T[]>> read, string what)
    {
        var calls = Enumerable.Range(0, shards).Select(shard => read(shard).WaitAsync(ShardTimeout)).ToList();
        try
        {
            await Task.WhenAll(calls);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || calls.Any(c => !c.IsCanceled))
        {
            throw new ShardsNotAnsweringException($"{calls.Count(c => !c.IsCompletedSuccessfully)} of {shards} {what} shards did not answer", ex);
        }

        return [.. calls.SelectMany(c => c.Result)];
    }
}

/// <summary>Some shard of a cluster table did not answer: the admin API answers 503 rather than a partial table.</summary>
internal sealed class ShardsNotAnsweringException(string message, Exception inner) : Exception(message, inner);
