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
    private View _view = new(FrozenSet<string>.Empty, 0);
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>The last membership view: which nodes are dead, and how many times that set changed.</summary>
    public View Current => Volatile.Read(ref _view);

    /// <summary>True when <paramref name="node"/> has been declared dead (a lock-free read of the last membership view).</summary>
    public bool Contains(string node) => Current.Contains(node);

    /// <summary>
    /// Waits until membership declares <paramref name="node"/> dead; false when it has not within
    /// <paramref name="timeout"/> (it lives on, or is slow to be found dead).
    /// </summary>
    public async Task<bool> WaitForDeathAsync(string node, TimeSpan timeout, TimeProvider clock)
    {
        ArgumentNullException.ThrowIfNull(clock);
        var started = clock.GetTimestamp();
        while (true)
        {
            var changed = Volatile.Read(ref _changed).Task;
            if (Contains(node))
            {
                return true;
            }

            var left = timeout - clock.GetElapsedTime(started);
            if (left <= TimeSpan.Zero)
            {
                return false;
            }

            await changed.WaitAsync(left, clock).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
    }

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

        var current = Current;
        if (!dead.SetEquals(current.Nodes))
        {
            Volatile.Write(ref _view, new View(dead.ToFrozenSet(StringComparer.Ordinal), current.Generation + 1));
            Interlocked.Exchange(ref _changed, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();
        }
    }

    [LoggerMessage(EventId = 3002, Level = LogLevel.Error, Message = "Following cluster membership stopped; routes to nodes that die later are still called")]
    private static partial void LogFollowFailed(ILogger logger, Exception exception);

    /// <summary>One membership view's dead nodes, and the count of changes that led to it (<see cref="Generation"/>).</summary>
    public sealed class View(FrozenSet<string> nodes, long generation)
    {
        public FrozenSet<string> Nodes { get; } = nodes;

        public long Generation { get; } = generation;

        public bool Contains(string node) => Nodes.Count > 0 && Nodes.Contains(node);
    }
}
