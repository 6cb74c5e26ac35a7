using RobustMq.Abstractions.Nodes;
using RobustMq.Abstractions.Routing;

namespace RobustMq.Gateway.Routing;

/// <summary>Reusable per-publish working space, so routing a message allocates little beyond its deliveries.</summary>
internal sealed class RouteScratch
{
    private readonly Stack<Target> _free = new();

    /// <summary>Clients (direct routes) and share groups with a route the ACL read check refused for this message.</summary>
    private readonly HashSet<string> _refusedClients = new(StringComparer.Ordinal);
    private readonly HashSet<(string Group, string Filter)> _refusedGroups = [];

    public List<RouteEntry> Matches { get; } = [];
    public Dictionary<string, Target> Targets { get; } = new(StringComparer.Ordinal);
    public Dictionary<(string Group, string Filter), List<RouteEntry>> Groups { get; } = [];
    public Dictionary<string, List<NodeDelivery>> Remote { get; } = new(StringComparer.Ordinal);
    public List<NodeDelivery> Offline { get; } = [];

    /// <summary>The dead nodes this plan was made with (one view for the whole message).</summary>
    public DeadNodes.View Dead { get; set; } = null!;

    /// <summary>Route additions and membership changes as of this plan's match (<see cref="PublisherPipeline"/>).</summary>
    public long Epoch { get; set; }

    /// <summary>Writes of local persistent sessions' copies still under way: the publisher is acknowledged once they complete.</summary>
    public List<Task> Stores { get; } = [];

    /// <summary>Local clients whose queues are half full: the publisher waits for them (back-pressure).</summary>
    public List<string> Congested { get; } = [];

    /// <summary>Refused copies counted by <see cref="CountRefused"/>.</summary>
    public int RefusedCount { get; private set; }

    public void Refuse(RouteEntry entry)
    {
        if (entry.ShareGroup is null)
        {
            _refusedClients.Add(entry.ClientId);
        }
        else
        {
            _refusedGroups.Add((entry.ShareGroup, entry.Filter));
        }
    }

    /// <summary>
    /// Once the targets are planned: how many copies the ACL refused, one per client left without a copy and one per
    /// share group left without a member (a client that got its copy through another route is not counted).
    /// </summary>
    public int CountRefused()
    {
        if (_refusedClients.Count == 0 && _refusedGroups.Count == 0)
        {
            return 0;
        }

        var count = 0;
        foreach (var clientId in _refusedClients)
        {
            count += Targets.ContainsKey(clientId) ? 0 : 1;
        }

        foreach (var group in _refusedGroups)
        {
            count += Groups.ContainsKey(group) ? 0 : 1;
        }

        return RefusedCount = count;
    }

    /// <summary>A direct subscriber's route; a client with routes on two nodes (one of them dead, not yet cleaned up) is served on the live one.</summary>
    public void AddDirect(RouteEntry entry, DeadNodes.View dead)
    {
        if (Targets.TryGetValue(entry.ClientId, out var target))
        {
            target.Merge(entry, moveTo: target.Node != entry.Node && dead.Contains(target.Node) && !dead.Contains(entry.Node));
            return;
        }

        target = _free.Count > 0 ? _free.Pop() : new Target();
        target.Reset(entry);
        Targets[entry.ClientId] = target;
    }

    public void AddShared(RouteEntry entry)
    {
        var key = (entry.ShareGroup!, entry.Filter);
        if (!Groups.TryGetValue(key, out var members))
        {
            Groups[key] = members = [];
        }

        members.Add(entry);
    }

    public void Clear()
    {
        Matches.Clear();
        foreach (var target in Targets.Values)
        {
            _free.Push(target);
        }

        Targets.Clear();
        Groups.Clear();
        Remote.Clear();
        Offline.Clear();
        Congested.Clear();
        Stores.Clear();
        _refusedClients.Clear();
        _refusedGroups.Clear();
        RefusedCount = 0;
    }
}
