using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using RobustMq.Gateway.Connections;
using RobustMq.Gateway.Nodes;
using RobustMq.Gateway.Security.Blacklist;
using RobustMq.Gateway.Security.Cluster;

namespace RobustMq.Gateway.Security.BuiltInAcl;

/// <summary>
/// The built-in ACL store as an ACL source (<c>builtin</c> in <c>Acl:Sources</c>): a client's rules are those of its
/// User Name (<c>user/{name}</c>), then of its client id (<c>client/{id}</c>), then those for <c>all</c>, as EMQX's
/// built-in database authorizer orders them. The store's entries are held in memory, so a CONNECT costs no call; the
/// node reads them again when they change on any node (<see cref="AddAsync"/>, <see cref="AppendAsync"/>,
/// <see cref="RemoveAsync"/>, <see cref="DeleteAsync"/> tell every active node, <see cref="INodeControlGrain"/>), every <see cref="StoreFollower.RefreshInterval"/>, and at start. After each
/// change the node's connected clients are told (<see cref="MqttConnection.AclChanged"/>): their decisions follow the
/// new rules from then on, and a subscription the new rules refuse is dropped. Changes go through the subject's
/// <see cref="IAclSubjectGrain"/>, so that changes made at once on any nodes are applied one after another.
/// </summary>
public sealed partial class BuiltInAclSource(
    IAclRuleStore? store,
    IGrainFactory? grains,
    ConnectionRegistry connections,
    NodeNotices notices,
    TimeProvider clock,
    ILogger<BuiltInAclSource> logger) : IHeldAclSource, IHostedService, IDisposable
{

    private readonly SemaphoreSlim _reloading = new(1, 1);
    private volatile Dictionary<string, IReadOnlyList<AclRule>> _rules = new(StringComparer.Ordinal);

    /// <summary>The stored entries as read last, to tell which subjects a reload changed.</summary>
    private Dictionary<string, byte[]> _stored = new(StringComparer.Ordinal);

    /// <summary>Whether the store was read once: until then a CONNECT is refused (a rule not read might deny).</summary>
    private volatile bool _loaded;
    private StoreFollower? _follower;

    public string Name => "builtin";

    public IReadOnlyList<AclRule> RulesFor(string clientId, string? userName)
    {
        var rules = _rules;
        if (rules.Count == 0)
        {
            return [];
        }

        var user = userName is { Length: > 0 } && rules.TryGetValue(AclEntry.ForUser(userName), out var u) ? u : [];
        var client = rules.TryGetValue(AclEntry.ForClient(clientId), out var c) ? c : [];
        var all = rules.TryGetValue(AclEntry.All, out var a) ? a : [];
        return user.Count + client.Count + all.Count == 0 ? [] : [.. user, .. client, .. all];
    }

    /// <exception cref="AclSourceException">The store has not been read yet (at start, while it cannot be), or this host has none.</exception>
    public ValueTask<IReadOnlyList<AclRule>> RulesForAsync(string clientId, string? userName, string? peer, CancellationToken cancellationToken)
    {
        if (!_loaded)
        {
            throw new AclSourceException(store is null ? "builtin: this host has no ACL store" : "builtin: the ACL store has not been read yet");
        }

        return ValueTask.FromResult(RulesFor(clientId, userName));
    }

    /// <summary>Every entry stored.</summary>
    /// <exception cref="InvalidOperationException">This host has no store.</exception>
    public Task<IReadOnlyList<AclEntry>> ListAsync(CancellationToken cancellationToken) => Store.ListAsync(cancellationToken);

    /// <summary>Stores <paramref name="entry"/> (replacing the subject's rules) and has every active node apply it.</summary>
    public async Task AddAsync(AclEntry entry, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(entry);
        await Subject(entry.Who).Replace([.. entry.Rules]).WaitAsync(cancellationToken);
        await ChangedAsync(entry.Who, entry.Rules.Count);
    }

    /// <summary>Adds <paramref name="rule"/> after the rules of <paramref name="who"/>; false when it has <see cref="AclEntry.MaxRules"/> already.</summary>
    public async Task<bool> AppendAsync(string who, AclEntryRule rule, CancellationToken cancellationToken)
    {
        if (!await Subject(who).Append(rule).WaitAsync(cancellationToken))
        {
            return false;
        }

        await ChangedAsync(who, null);
        return true;
    }

    /// <summary>Removes the first rule of <paramref name="who"/> that is <see cref="AclEntryRule.SameAs"/> <paramref name="rule"/>; false when it has none such.</summary>
    public async Task<bool> RemoveAsync(string who, AclEntryRule rule, CancellationToken cancellationToken)
    {
        if (!await Subject(who).Remove(rule).WaitAsync(cancellationToken))
        {
            return false;
        }

        await ChangedAsync(who, null);
        return true;
    }

    /// <summary>Deletes the subject's rules and has every active node drop them; false when there were none.</summary>
    public async Task<bool> DeleteAsync(string who, CancellationToken cancellationToken)
    {
        if (!await Subject(who).Delete().WaitAsync(cancellationToken))
        {
            return false;
        }

        await ChangedAsync(who, 0);
        return true;
    }

    private IAclSubjectGrain Subject(string who)
    {
        _ = Store;
        return (grains ?? throw new InvalidOperationException("this host has no grains to change the ACL store with")).GetGrain<IAclSubjectGrain>(who);
    }

    private async Task ChangedAsync(string who, int? count)
    {
        if (count is { } n)
        {
            LogStored(logger, who, n);
        }
        else
        {
            LogRuleChanged(logger, who);
        }

        await notices.TellAllAsync(TellChanged);
    }

    /// <summary>
    /// Reads the store again and tells the node's connected clients whose rules changed: every one when the rules for
    /// <c>all</c> changed, otherwise those whose user name or client id has changed rules.
    /// </summary>
    public async Task ReloadAsync(CancellationToken cancellationToken = default)
    {
        if (store is null)
        {
            return;
        }

        await _reloading.WaitAsync(cancellationToken);
        try
        {
            var rules = new Dictionary<string, IReadOnlyList<AclRule>>(StringComparer.Ordinal);
            var stored = new Dictionary<string, byte[]>(StringComparer.Ordinal);
            foreach (var entry in await store.ListAsync(cancellationToken))
            {
                stored[entry.Who] = entry.Encode();
                try
                {
                    rules[entry.Who] = entry.ToRules();
                }
                catch (AclSourceException ex)
                {
                    // Checked when stored; one that a newer version wrote, say, is left out alone, and said.
                    LogUnreadable(logger, entry.Who, ex.Message);
                }
            }

            var changed = Changed(_stored, stored);
            _rules = rules;
            _stored = stored;
            _loaded = true;
            if (changed.Count == 0)
            {
                return;
            }

            var everyone = changed.Contains(AclEntry.All);
            foreach (var connection in connections.Connections)
            {
                // One still in its CONNECT (no client id yet) may have read the rules before this reload: told too.
                if (everyone || connection.ClientId is null
                    || (connection.ClientId is { } clientId && changed.Contains(AclEntry.ForClient(clientId)))
                    || (connection.UserName is { Length: > 0 } userName && changed.Contains(AclEntry.ForUser(userName))))
                {
                    connection.AclChanged();
                }
            }
        }
        finally
        {
            _reloading.Release();
        }
    }

    /// <summary>The subjects whose stored rules differ between <paramref name="before"/> and <paramref name="after"/>.</summary>
    private static HashSet<string> Changed(Dictionary<string, byte[]> before, Dictionary<string, byte[]> after)
    {
        var changed = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (who, value) in after)
        {
            if (!before.TryGetValue(who, out var old) || !old.AsSpan().SequenceEqual(value))
            {
                changed.Add(who);
            }
        }

        foreach (var who in before.Keys)
        {
            if (!after.ContainsKey(who))
            {
                changed.Add(who);
            }
        }

        return changed;
    }

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (store is null)
        {
            return;
        }

        _follower = await StoreFollower.StartAsync(notices, clock, "Built-in ACL", ReloadAsync, TellChanged, ex => LogReloadFailed(logger, ex), cancellationToken);
    }

    public Task StopAsync(CancellationToken cancellationToken) => _follower?.StopAsync(cancellationToken) ?? Task.CompletedTask;

    public void Dispose()
    {
        _follower?.Dispose();
        _reloading.Dispose();
    }

    private IAclRuleStore Store => store ?? throw new InvalidOperationException("this host has no ACL store");

    private static Task TellChanged(INodeControlGrain node) => node.AclChanged();

    [LoggerMessage(EventId = 4111, Level = LogLevel.Information, Message = "Built-in ACL: {Who} now has {Count} rules")]
    private static partial void LogStored(ILogger logger, string who, int count);

    [LoggerMessage(EventId = 4115, Level = LogLevel.Information, Message = "Built-in ACL: a rule of {Who} was added or removed")]
    private static partial void LogRuleChanged(ILogger logger, string who);

    [LoggerMessage(EventId = 4112, Level = LogLevel.Warning, Message = "Built-in ACL: the store could not be read; the rules in force stay until the next refresh")]
    private static partial void LogReloadFailed(ILogger logger, Exception ex);

    [LoggerMessage(EventId = 4113, Level = LogLevel.Warning, Message = "Built-in ACL: the rules of {Who} cannot be read and are left out: {Problem}")]
    private static partial void LogUnreadable(ILogger logger, string who, string problem);
}
