using RobustMq.Gateway.Nodes;

namespace RobustMq.Gateway.Security.Cluster;

/// <summary>
/// Keeps a node's in-memory copy of a cluster-wide store (the blacklist, the built-in ACL) current: reads it at start,
/// every <see cref="RefreshInterval"/> (a change whose notice was lost), and tells each node that joins to read it (a
/// change made before this node knew the newcomer). The owner reads it again itself when told of a change.
/// </summary>
public sealed class StoreFollower : IDisposable
{
    /// <summary>How often the store is read again without a notice.</summary>
    public static readonly TimeSpan RefreshInterval = TimeSpan.FromSeconds(30);

    private readonly CancellationTokenSource _stopping = new();
    private readonly Func<CancellationToken, Task> _reload;
    private readonly Action<Exception> _reloadFailed;
    private readonly ITimer _timer;
    private readonly Task _watching;

    private StoreFollower(NodeNotices notices, TimeProvider clock, string what, Func<CancellationToken, Task> reload, Func<INodeControlGrain, Task> tell, Action<Exception> reloadFailed)
    {
        _reload = reload;
        _reloadFailed = reloadFailed;
        _timer = clock.CreateTimer(_ => _ = RefreshAsync(), null, RefreshInterval, RefreshInterval);
        _watching = notices.WatchJoinsAsync(nodes => notices.TellAsync(nodes, tell), what, _stopping.Token);
    }

    /// <summary>
    /// Reads the store once (a failure is given to <paramref name="reloadFailed"/>: the node starts all the same, and
    /// the refresh tries again), then follows it.
    /// </summary>
    /// <param name="what">The store's name in log lines.</param>
    /// <param name="reload">Reads the store again into the node's copy.</param>
    /// <param name="tell">What a node that joins is told (its control grain's method for this store).</param>
    public static async Task<StoreFollower> StartAsync(
        NodeNotices notices, TimeProvider clock, string what, Func<CancellationToken, Task> reload, Func<INodeControlGrain, Task> tell, Action<Exception> reloadFailed, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(reload);
        ArgumentNullException.ThrowIfNull(reloadFailed);
        try
        {
            await reload(cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            reloadFailed(ex);
        }

        return new StoreFollower(notices, clock, what, reload, tell, reloadFailed);
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        _timer.Dispose();
        await _stopping.CancelAsync();
        await _watching.WaitAsync(cancellationToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
    }

    public void Dispose()
    {
        _timer.Dispose();
        _stopping.Dispose();
    }

    private async Task RefreshAsync()
    {
        try
        {
            await _reload(CancellationToken.None);
        }
        catch (Exception ex) when (ex is not ObjectDisposedException)
        {
            _reloadFailed(ex);
        }
    }
}
