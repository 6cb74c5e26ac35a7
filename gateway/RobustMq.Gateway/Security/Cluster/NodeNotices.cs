using Microsoft.Extensions.Logging;
using Orleans.Runtime;
using RobustMq.Gateway.Nodes;
using RobustMq.Gateway.Security.Blacklist;

namespace RobustMq.Gateway.Security.Cluster;

/// <summary>
/// Tells the cluster's nodes that something they hold in memory changed in the store (the blacklist, the built-in ACL),
/// through each node's <see cref="INodeControlGrain"/>, and follows membership so that a node that joins is told too.
/// A node that cannot be told picks the change up at its next refresh; the caller's log says so.
/// </summary>
public sealed partial class NodeNotices(IGrainFactory grains, IClusterMembershipService membership, ILocalSiloDetails localSilo, TimeProvider clock, ILogger<NodeNotices> logger)
{
    /// <summary>Has every active node (this one included) run <paramref name="call"/> on its control grain; returns how many could not be told.</summary>
    public Task<int> TellAllAsync(Func<INodeControlGrain, Task> call) =>
        TellAsync(membership.CurrentSnapshot.Members.Values.Where(m => m.Status == SiloStatus.Active).Select(m => m.SiloAddress).ToList(), call);

    /// <summary>
    /// Asks every active node (this one included) through its control grain, each within 5 s: the answers of those that
    /// gave one, and how many did not.
    /// </summary>
    public async Task<(IReadOnlyList<T> Answers, int Failed)> AskAllAsync<T>(Func<INodeControlGrain, Task<T>> ask)
    {
        var calls = membership.CurrentSnapshot.Members.Values.Where(m => m.Status == SiloStatus.Active)
            .Select(m => ask(grains.GetGrain<INodeControlGrain>(m.SiloAddress.ToParsableString())).WaitAsync(TimeSpan.FromSeconds(5)))
            .ToList();
        try
        {
            await Task.WhenAll(calls);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || calls.Any(c => !c.IsCanceled))
        {
            // Counted below; the others' answers are given.
        }

        return ([.. calls.Where(c => c.IsCompletedSuccessfully).Select(c => c.Result)], calls.Count(c => !c.IsCompletedSuccessfully));
    }

    /// <summary>
    /// Runs <paramref name="joined"/> with the nodes this one sees become active (itself left out) until
    /// <paramref name="cancellationToken"/> ends; a failure of membership updates is logged and ends the watch.
    /// </summary>
    public async Task WatchJoinsAsync(Func<IReadOnlyList<SiloAddress>, Task> joined, string what, CancellationToken cancellationToken)
    {
        var told = new HashSet<SiloAddress> { localSilo.SiloAddress };
        try
        {
            await foreach (var snapshot in membership.MembershipUpdates.WithCancellation(cancellationToken))
            {
                var joins = snapshot.Members.Values.Where(m => m.Status == SiloStatus.Active && told.Add(m.SiloAddress)).Select(m => m.SiloAddress).ToList();
                told.RemoveWhere(s => s != localSilo.SiloAddress && snapshot.GetSiloStatus(s) is not SiloStatus.Active);
                if (joins.Count > 0)
                {
                    await joined(joins);
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
        catch (Exception ex)
        {
            // Membership updates end only with the silo; the periodic refresh still covers every node.
            LogWatchFailed(logger, ex, what);
        }
    }

    /// <summary>Has each of <paramref name="nodes"/> run <paramref name="call"/>; returns how many could not be told.</summary>
    public async Task<int> TellAsync(IReadOnlyList<SiloAddress> nodes, Func<INodeControlGrain, Task> call)
    {
        var calls = nodes.Select(node => TellOneAsync(node, call)).ToList();
        try
        {
            await Task.WhenAll(calls);
            return 0;
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            var failed = calls.Count(c => !c.IsCompletedSuccessfully);
            LogTellFailed(logger, ex, failed, calls.Count);
            return failed;
        }
    }

    /// <summary>
    /// Has one node run <paramref name="call"/>. A node that has just joined may not be placeable yet (the placement's
    /// view of the cluster follows membership by a moment: <see cref="RobustMq.Abstractions.Nodes.NodeNotActiveException"/>),
    /// so a call that fails while membership still says the node is active is tried again, every 200 ms for up to 3 s.
    /// </summary>
    private async Task TellOneAsync(SiloAddress node, Func<INodeControlGrain, Task> call)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await call(grains.GetGrain<INodeControlGrain>(node.ToParsableString())).WaitAsync(TimeSpan.FromSeconds(10));
                return;
            }
            catch (Exception ex) when (ex is not TimeoutException && attempt < 15 && membership.CurrentSnapshot.GetSiloStatus(node) == SiloStatus.Active)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(200), clock);
            }
        }
    }

    [LoggerMessage(EventId = 4105, Level = LogLevel.Warning, Message = "{What}: membership updates ended; nodes that join pick up changes at their refresh (30 s)")]
    private static partial void LogWatchFailed(ILogger logger, Exception ex, string what);

    [LoggerMessage(EventId = 4104, Level = LogLevel.Warning, Message = "{Failed} of {Nodes} nodes were not told of a change; they pick it up within 30 s")]
    private static partial void LogTellFailed(ILogger logger, Exception ex, int failed, int nodes);
}
