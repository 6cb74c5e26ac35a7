using System.Collections.Frozen;
using Microsoft.Extensions.Logging;
using RobustMq.Abstractions.Nodes;

namespace RobustMq.Gateway.Routing;

/// <summary>
/// The nodes Orleans membership has declared dead, by node name (<see cref="NodeNames"/>), for the publish path: a route
/// to a dead node is not called, its messages go where a disconnected client's go (its session grain queues them for
/// a persistent session; a clean session ended with its node). Follows the membership updates from the silo's start.
/// </summary>
public sealed partial class DeadNodes(IClusterMembershipService membership, ILogger<DeadNodes> logger) : ILifecycleParticipant<ISiloLifecycle>, IDisposable
{
    private readonly CancellationTokenSource _stopping = new();
    private FrozenSet<string> _dead = FrozenSet<string>.Empty;

    /// <summary>True when <paramref name="node"/> has been declared dead (a lock-free read of the last membership view).</summary>
    public bool Contains(string node) => _dead.Count > 0 && _dead.Contains(node);

    public void Participate(ISiloLifecycle lifecycle)
    {
        ArgumentNullException.ThrowIfNull(lifecycle);
        lifecycle.Subscribe(nameof(DeadNodes), ServiceLifecycleStage.RuntimeGrainServices, Start, Stop);
    }

    public void Dispose() => _stopping.Dispose();

    private Task Start(CancellationToken cancellationToken)
    {
        Update(membership.CurrentSnapshot);
        _ = FollowAsync(_stopping.Token);
        return Task.CompletedTask;
    }

    private Task Stop(CancellationToken cancellationToken) => _stopping.CancelAsync();

    private async Task FollowAsync(CancellationToken cancellationToken)
    {
        try
        {
            await foreach (var snapshot in membership.MembershipUpdates.WithCancellation(cancellationToken))
            {
                Update(snapshot);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Stopping.
        }
        catch (Exception ex)
        {
            LogFollowFailed(logger, ex);
        }
    }

    private void Update(ClusterMembershipSnapshot snapshot)
    {
        var dead = new HashSet<string>(StringComparer.Ordinal);
        foreach (var member in snapshot.Members.Values)
        {
            if (member.Status == SiloStatus.Dead)
            {
                dead.Add(NodeNames.Of(member.SiloAddress));
            }
        }

        if (!dead.SetEquals(_dead))
        {
            Volatile.Write(ref _dead, dead.ToFrozenSet(StringComparer.Ordinal));
        }
    }

    [LoggerMessage(EventId = 3002, Level = LogLevel.Error, Message = "Following cluster membership stopped; routes to nodes that die later are still called")]
    private static partial void LogFollowFailed(ILogger logger, Exception exception);
}
