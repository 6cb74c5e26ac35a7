using RobustMq.Abstractions.Routing;

namespace RobustMq.Gateway.Routing;

/// <summary>
/// One client that gets a copy of a message: overlapping subscriptions fold into one copy at the highest
/// granted QoS carrying every matching subscription identifier.
/// </summary>
internal sealed class Target
{
    private readonly List<uint> _subscriptionIds = [];

    public string ClientId { get; private set; } = "";
    public string Node { get; private set; } = "";
    public byte QoS { get; private set; }
    public bool RetainAsPublished { get; private set; }

    /// <summary>The <c>$share</c> group it was picked from (and that group's filter); null for a direct subscriber.</summary>
    public string? ShareGroup { get; private set; }
    public string? ShareFilter { get; private set; }

    public void Reset(RouteEntry entry)
    {
        ClientId = entry.ClientId;
        Node = entry.Node;
        QoS = entry.QoS;
        RetainAsPublished = entry.RetainAsPublished;
        ShareGroup = entry.ShareGroup;
        ShareFilter = entry.ShareGroup is null ? null : entry.Filter;
        _subscriptionIds.Clear();
        AddId(entry.SubscriptionId);
    }

    /// <param name="moveTo">Deliver on <paramref name="entry"/>'s node from now on (the node held so far is dead).</param>
    public void Merge(RouteEntry entry, bool moveTo = false)
    {
        if (moveTo)
        {
            Node = entry.Node;
        }

        QoS = Math.Max(QoS, entry.QoS);
        RetainAsPublished |= entry.RetainAsPublished;
        AddId(entry.SubscriptionId);
    }

    public uint[]? SubscriptionIds() => _subscriptionIds.Count == 0 ? null : [.. _subscriptionIds];

    private void AddId(uint id)
    {
        if (id != 0 && !_subscriptionIds.Contains(id))
        {
            _subscriptionIds.Add(id);
        }
    }
}
