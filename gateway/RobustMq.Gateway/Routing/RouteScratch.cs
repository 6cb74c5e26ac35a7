using RobustMq.Abstractions.Nodes;
using RobustMq.Abstractions.Routing;

namespace RobustMq.Gateway.Routing;

/// <summary>Reusable per-publish working space, so routing a message allocates little beyond its deliveries.</summary>
internal sealed class RouteScratch
{
    private readonly Stack<Target> _free = new();

    public List<RouteEntry> Matches { get; } = [];
    public Dictionary<string, Target> Targets { get; } = new(StringComparer.Ordinal);
    public Dictionary<(string Group, string Filter), List<RouteEntry>> Groups { get; } = [];
    public Dictionary<string, List<NodeDelivery>> Remote { get; } = new(StringComparer.Ordinal);
    public List<NodeDelivery> Offline { get; } = [];

    /// <summary>Local clients whose queues are half full: the publisher waits for them (back-pressure).</summary>
    public List<string> Congested { get; } = [];

    public void AddDirect(RouteEntry entry)
    {
        if (Targets.TryGetValue(entry.ClientId, out var target))
        {
            target.Merge(entry);
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
    }
}
