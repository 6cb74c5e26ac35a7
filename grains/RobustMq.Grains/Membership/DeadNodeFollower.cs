using RobustMq.Abstractions.Nodes;

namespace RobustMq.Grains.Membership;

/// <summary>
/// Follows this silo's membership view for a grain that must act once on each silo declared dead (a topic shard removes
/// its clean routes, a session-directory shard looks after its sessions). Runs as a task of the grain's activation.
/// </summary>
public static class DeadNodeFollower
{
    /// <summary>How long a failed <c>forget</c> waits to be tried again.</summary>
    public static readonly TimeSpan RetryDelay = TimeSpan.FromSeconds(5);

    /// <summary>
    /// Calls <paramref name="forget"/> with the node names (<see cref="NodeNames.Of"/>) of silos declared dead that are
    /// not in <paramref name="handled"/> yet (they are added), at each membership change; a failure is reported to
    /// <paramref name="failed"/> and the same nodes are tried again after <see cref="RetryDelay"/>. Ends when
    /// <paramref name="cancellationToken"/> is cancelled (the grain deactivates).
    /// </summary>
    /// <param name="forget">Usually a call to the grain itself, so the work runs as one of its turns.</param>
    public static async Task FollowAsync(
        IClusterMembershipService membership, HashSet<string> handled, Func<string[], Task> forget, Action<Exception> failed, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(membership);
        ArgumentNullException.ThrowIfNull(handled);
        ArgumentNullException.ThrowIfNull(forget);
        ArgumentNullException.ThrowIfNull(failed);
        try
        {
            await foreach (var snapshot in membership.MembershipUpdates.WithCancellation(cancellationToken))
            {
                var dead = new List<string>();
                foreach (var member in snapshot.Members.Values)
                {
                    if (member.Status == SiloStatus.Dead && handled.Add(NodeNames.Of(member.SiloAddress)))
                    {
                        dead.Add(NodeNames.Of(member.SiloAddress));
                    }
                }

                while (dead.Count > 0)
                {
                    try
                    {
                        await forget([.. dead]);
                        break;
                    }
                    catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
                    {
                        failed(ex);
                        await Task.Delay(RetryDelay, cancellationToken);
                    }
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Deactivating.
        }
    }
}
