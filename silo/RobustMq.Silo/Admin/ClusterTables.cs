using RobustMq.Abstractions.Listing;
using RobustMq.Abstractions.Messages;
using RobustMq.Abstractions.Retained;
using RobustMq.Abstractions.Routing;
using RobustMq.Abstractions.Sessions;

namespace RobustMq.Silo.Admin;

/// <summary>
/// The cluster's tables as the admin API reads them, from the grains that own them (never one node's copy): the route
/// table from every topic shard (<see cref="ITopicShardGrain"/>, <see cref="TopicShards.Count"/> of them), the client ids
/// from every session-directory shard (<see cref="ISessionDirectoryGrain"/>), the retained messages from every retained
/// shard (<see cref="IRetainedStoreGrain"/>). Each shard answers within <see cref="ShardTimeout"/> (<see cref="AskAllAsync"/>).
/// A list is filtered, sorted and cut at the shards: each answers its first <c>take</c> rows in the list's order and how
/// many it matches, and the rows here are the shards' answers merged (<see cref="ShardRows"/>); the caller skips to its
/// page. The count is the sum of the shards' counts.
/// </summary>
internal static class ClusterTables
{
    public static readonly TimeSpan ShardTimeout = TimeSpan.FromSeconds(5);

    /// <summary>The routes of the rows <paramref name="query"/> selects, merged in its order (the first <see cref="RouteQuery.Take"/> rows of the cluster), and how many rows match.</summary>
    /// <exception cref="ShardsNotAnsweringException">A shard did not answer.</exception>
    public static async Task<(long Count, IEnumerable<RouteEntry> Routes)> RoutesAsync(IGrainFactory grains, RouteQuery query)
    {
        var pages = await AskAllAsync(TopicShards.Count, shard => grains.GetGrain<ITopicShardGrain>(shard).Query(query), "topic");
        return (pages.Sum(p => (long)p.Matched), ShardRows.Merge([.. pages.Select(p => p.Routes)], query.Order));
    }

    /// <summary>The client ids <paramref name="query"/> selects, merged in its order (the first <see cref="SessionQuery.Take"/> of the cluster), and how many match.</summary>
    /// <exception cref="ShardsNotAnsweringException">A shard did not answer.</exception>
    public static async Task<(long Count, IEnumerable<SessionDirectoryEntry> Entries)> SessionsAsync(IGrainFactory grains, SessionQuery query)
    {
        var pages = await AskAllAsync(SessionDirectory.Shards, shard => grains.GetGrain<ISessionDirectoryGrain>(shard).Query(query), "session directory");
        return (pages.Sum(p => (long)p.Matched), ShardRows.Merge([.. pages.Select(p => p.Entries)], query.Order));
    }

    /// <summary>How many client ids the session-directory shards hold: the cluster's sessions, connected or only stored.</summary>
    /// <exception cref="ShardsNotAnsweringException">A shard did not answer.</exception>
    public static async Task<long> SessionCountAsync(IGrainFactory grains) =>
        (await AskAllAsync(SessionDirectory.Shards, shard => grains.GetGrain<ISessionDirectoryGrain>(shard).Count(), "session directory")).Sum(n => (long)n);

    /// <summary>The retained messages <paramref name="query"/> selects (expired ones left out) by topic, the first <see cref="RetainedQuery.Take"/> of the cluster, and how many match.</summary>
    /// <exception cref="ShardsNotAnsweringException">A shard did not answer.</exception>
    public static async Task<(long Count, IEnumerable<BrokerMessage> Messages)> RetainedAsync(IGrainFactory grains, RetainedQuery query)
    {
        var pages = await AskAllAsync(RetainedShards.Count, shard => grains.GetGrain<IRetainedStoreGrain>(shard).Query(query), "retained");
        return (pages.Sum(p => (long)p.Matched), ShardRows.Merge([.. pages.Select(p => p.Messages)], RetainedQuery.Order));
    }

    /// <summary>
    /// Asks every shard, 0 .. <paramref name="shards"/> - 1, at once, each within <see cref="ShardTimeout"/>: their answers
    /// in shard order, or, when any did not answer (timed out or failed), none.
    /// </summary>
    /// <param name="shards">How many shards the table has.</param>
    /// <param name="ask">The call to shard <c>n</c>.</param>
    /// <param name="what">The table's name for the error (<c>"topic"</c>: "3 of 64 topic shards did not answer").</param>
    /// <exception cref="ShardsNotAnsweringException">A shard did not answer: the admin API answers 503 <c>SHARDS_NOT_ANSWERING</c>.</exception>
    public static async Task<T[]> AskAllAsync<T>(int shards, Func<int, Task<T>> ask, string what)
    {
        var calls = new Task<T>[shards];
        for (var shard = 0; shard < shards; shard++)
        {
            calls[shard] = ask(shard).WaitAsync(ShardTimeout);
        }

        try
        {
            return await Task.WhenAll(calls);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || calls.Any(c => !c.IsCanceled))
        {
            throw new ShardsNotAnsweringException($"{calls.Count(c => !c.IsCompletedSuccessfully)} of {shards} {what} shards did not answer", ex);
        }
    }
}

/// <summary>Some shard of a cluster table did not answer: the admin API answers 503 rather than a partial table.</summary>
internal sealed class ShardsNotAnsweringException(string message, Exception inner) : Exception(message, inner);
