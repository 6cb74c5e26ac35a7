namespace RobustMq.Gateway.Routing;

/// <summary>
/// One publisher's deliveries to other nodes still under way (its connection owns one; used by its read loop only).
/// A publisher does not wait for them before its next message is routed, so its order (MQTT 4.6) could break where a
/// subscriber is reached another way than before while they are under way: it moved to another node, or its node was
/// declared dead. Both change the epoch a plan is made with (routes added to the node's cache, membership changes):
/// when it differs from the one these deliveries were sent with, the next message waits for them first. In steady
/// state nothing waits.
/// </summary>
public sealed class PublisherPipeline
{
    private readonly List<Task> _remote = [];
    private long _epoch;
    private Task _room = Task.CompletedTask;

    /// <summary>Deliveries under way (completed ones included until the next prune).</summary>
    internal int Count => _remote.Count;

    /// <summary>True when deliveries sent with another epoch than <paramref name="epoch"/> may still be under way.</summary>
    internal bool MustDrain(long epoch) => _remote.Count > 0 && _epoch != epoch;

    /// <summary>Waits until every delivery under way is done (whatever its outcome: their publishers are told through their acknowledgements).</summary>
    internal async Task DrainAsync()
    {
        foreach (var remote in _remote)
        {
            await remote.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }

        _remote.Clear();
    }

    /// <summary>A message's deliveries to other nodes went out with <paramref name="epoch"/>.</summary>
    internal void Sent(Task remote, long epoch)
    {
        if (_remote.Count >= 64)
        {
            _remote.RemoveAll(static t => t.IsCompleted);
        }

        if (_remote.Count == 0)
        {
            _epoch = epoch;
        }

        _remote.Add(remote);
    }

    /// <summary>
    /// Back-pressure from slow clients on other nodes: completes once they have room (set by the delivery that found
    /// them slow, from any thread); the publisher's next message waits for it, as for a slow client on this node.
    /// </summary>
    internal Task Room
    {
        get => Volatile.Read(ref _room);
        set => Volatile.Write(ref _room, value);
    }
}
