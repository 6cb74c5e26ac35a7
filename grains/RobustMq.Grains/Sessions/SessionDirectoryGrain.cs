using RobustMq.Abstractions.Sessions;

namespace RobustMq.Grains.Sessions;

/// <summary>One shard of the session directory (see <see cref="ISessionDirectoryGrain"/>): an in-memory map.</summary>
// Its map lives only in memory, so it must not be collected while idle.
[KeepAlive]
public sealed class SessionDirectoryGrain : Grain, ISessionDirectoryGrain
{
    private readonly Dictionary<string, Holder> _holders = new(StringComparer.Ordinal);

    public Task<SessionClaim> Claim(string clientId, ConnectionRef connection, bool backed)
    {
        if (!_holders.TryGetValue(clientId, out var previous))
        {
            _holders[clientId] = new Holder(connection, backed);
            return Task.FromResult(new SessionClaim(null, false));
        }

        if (previous.Backed && !backed)
        {
            // A session grain holds state for this id: the clean connection must go through it.
            return Task.FromResult(new SessionClaim(previous.Connection, true));
        }

        _holders[clientId] = new Holder(connection, backed);
        return Task.FromResult(new SessionClaim(previous.Connection, previous.Backed));
    }

    public Task ClaimStored(string[] clientIds)
    {
        foreach (var clientId in clientIds)
        {
            _holders.TryAdd(clientId, new Holder(null, true));
        }

        return Task.CompletedTask;
    }

    public Task Release(string clientId, ConnectionRef connection)
    {
        if (_holders.TryGetValue(clientId, out var holder) && !holder.Backed && holder.Connection == connection)
        {
            _holders.Remove(clientId);
        }

        return Task.CompletedTask;
    }

    public Task Forget(string clientId)
    {
        if (_holders.TryGetValue(clientId, out var holder) && holder.Backed)
        {
            _holders.Remove(clientId);
        }

        return Task.CompletedTask;
    }

    public Task<SessionClaim?> Lookup(string clientId) =>
        Task.FromResult(_holders.TryGetValue(clientId, out var holder) ? new SessionClaim(holder.Connection, holder.Backed) : null);

    /// <summary>A struct, so an entry costs no object of its own (one per connected clean client).</summary>
    private readonly record struct Holder(ConnectionRef? Connection, bool Backed);
}
