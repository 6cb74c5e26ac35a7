using System.Net;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using RobustMq.Gateway.Connections;
using RobustMq.Gateway.Nodes;
using RobustMq.Gateway.Security.Cluster;
using RobustMq.Protocol.ReasonCodes;

namespace RobustMq.Gateway.Security.Blacklist;

/// <summary>
/// The node's blacklist: the bans of the <see cref="IBanStore"/> (cluster-wide when that is the cluster's PostgreSQL),
/// checked on every CONNECT (<see cref="Check"/>) without a call: the list is held in memory and rebuilt from the store
/// when a ban is added or deleted on any node (<see cref="AddAsync"/>, <see cref="DeleteAsync"/> tell every active node,
/// <see cref="INodeControlGrain"/>), every <see cref="StoreFollower.RefreshInterval"/> as well, and when the node starts. Each rebuild
/// closes the node's connected clients that a ban now covers, with DISCONNECT 0x98 Administrative action (MQTT 5) or a
/// plain close (3.1.x). A node that sees another become active tells it to read the list again: a ban added here while
/// this node's view of the cluster did not yet hold the newcomer (membership spreads in seconds) reaches it then, not
/// at its next refresh.
/// </summary>
public sealed partial class BlacklistService(
    IBanStore? store,
    ConnectionRegistry connections,
    NodeNotices notices,
    TimeProvider clock,
    ILogger<BlacklistService> logger) : IHostedService, IDisposable
{

    private readonly SemaphoreSlim _reloading = new(1, 1);
    private volatile BanList _bans = BanList.Empty;
    private StoreFollower? _follower;

    /// <summary>The bans in force on this node now.</summary>
    public BanList Bans => _bans;

    /// <summary>Whether bans can be stored here (a host without a store has an empty list that cannot change).</summary>
    public bool CanStore => store is not null;

    /// <summary>
    /// The ban that covers a CONNECT from <paramref name="clientId"/> with <paramref name="userName"/> from
    /// <paramref name="remoteEndPoint"/> (<c>address:port</c>, null when unknown), or null.
    /// </summary>
    public Ban? Check(string clientId, string? userName, string? remoteEndPoint)
    {
        var bans = _bans;
        if (bans.Count == 0)
        {
            return null;
        }

        return bans.Match(clientId, userName, PeerAddress(remoteEndPoint), clock.GetUtcNow().ToUnixTimeMilliseconds());
    }

    /// <summary>The address of <c>address:port</c> (IPv4 or bracketed IPv6), or null.</summary>
    public static IPAddress? PeerAddress(string? remoteEndPoint) =>
        remoteEndPoint is not null && IPEndPoint.TryParse(remoteEndPoint, out var endPoint) ? endPoint.Address : null;

    /// <summary>Every ban stored, ended ones included.</summary>
    /// <exception cref="InvalidOperationException">This host has no store.</exception>
    public Task<IReadOnlyList<Ban>> ListAsync(CancellationToken cancellationToken) => Store.ListAsync(cancellationToken);

    /// <summary>Stores <paramref name="ban"/> (replacing one with the same key) and has every active node apply it.</summary>
    public async Task AddAsync(Ban ban, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(ban);
        await Store.PutAsync(ban, cancellationToken);
        LogBanned(logger, ban.Kind, ban.Value, ban.Reason ?? "-", ban.UntilUnixMs is { } until ? until.ToString(System.Globalization.CultureInfo.InvariantCulture) + " (Unix ms)" : "never");
        await TellNodesAsync();
    }

    /// <summary>Deletes the ban with <paramref name="key"/> and has every active node drop it; false when there was none.</summary>
    public async Task<bool> DeleteAsync(string key, CancellationToken cancellationToken)
    {
        if (!await Store.DeleteAsync(key, cancellationToken))
        {
            return false;
        }

        await TellNodesAsync();
        return true;
    }

    /// <summary>Reads the store again, builds the list, and closes the connected clients it covers.</summary>
    public async Task ReloadAsync(CancellationToken cancellationToken = default)
    {
        if (store is null)
        {
            return;
        }

        await _reloading.WaitAsync(cancellationToken);
        try
        {
            var now = clock.GetUtcNow().ToUnixTimeMilliseconds();
            var bans = new BanList((await store.ListAsync(cancellationToken)).Where(b => !b.HasEnded(now)));
            _bans = bans;
            if (bans.Count > 0)
            {
                await CloseCoveredAsync(bans, now);
            }
        }
        finally
        {
            _reloading.Release();
        }
    }

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (store is null)
        {
            return;
        }

        _follower = await StoreFollower.StartAsync(notices, clock, "Blacklist", ReloadAsync, TellChanged, ex => LogReloadFailed(logger, ex), cancellationToken);
    }

    public Task StopAsync(CancellationToken cancellationToken) => _follower?.StopAsync(cancellationToken) ?? Task.CompletedTask;

    public void Dispose()
    {
        _follower?.Dispose();
        _reloading.Dispose();
    }

    private IBanStore Store => store ?? throw new InvalidOperationException("this host has no blacklist store");

    private async Task CloseCoveredAsync(BanList bans, long now)
    {
        var closes = new List<Task>();
        foreach (var connection in connections.Connections)
        {
            if (connection.ClientId is { } clientId && connection.ConnectedAt is not null && !connection.IsClosing
                && bans.Match(clientId, connection.UserName, PeerAddress(connection.RemoteEndPoint), now) is { } ban)
            {
                LogClosingBanned(logger, clientId, ban.Kind, ban.Value);
                closes.Add(connections.CloseAsync(connection.Ref, (byte)ReasonCode.AdministrativeAction));
            }
        }

        await Task.WhenAll(closes);
    }

    /// <summary>Every active node (this one included) reads the list again; a node that cannot be told picks it up at its next refresh.</summary>
    private Task TellNodesAsync() => notices.TellAllAsync(TellChanged);

    private static Task TellChanged(INodeControlGrain node) => node.BlacklistChanged();

    [LoggerMessage(EventId = 4101, Level = LogLevel.Information, Message = "Blacklist: banned {Kind} '{Value}' ({Reason}) until {Until}")]
    private static partial void LogBanned(ILogger logger, string kind, string value, string reason, string until);

    [LoggerMessage(EventId = 4102, Level = LogLevel.Information, Message = "Blacklist: closing client {ClientId}, covered by the ban of {Kind} '{Value}'")]
    private static partial void LogClosingBanned(ILogger logger, string clientId, string kind, string value);

    [LoggerMessage(EventId = 4103, Level = LogLevel.Warning, Message = "Blacklist: the store could not be read; the list in force stays until the next refresh")]
    private static partial void LogReloadFailed(ILogger logger, Exception ex);
}
