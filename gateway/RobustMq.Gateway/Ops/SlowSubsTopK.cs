namespace RobustMq.Gateway.Ops;

/// <summary>
/// The top K slowest subscriber/topic pairs over a window (pure: the caller gives the time). A pair keeps its slowest
/// delivery and the time of its last recorded one; a pair not recorded again within the window is forgotten
/// (<see cref="Expire"/>, which its owner calls on a timer, and <see cref="Snapshot"/>). When K pairs are kept, a
/// delivery no slower than the least slow one kept (<see cref="Floor"/>) changes nothing, as in EMQX's
/// <c>emqx_slow_subs</c>: the owner may skip it without a lock. A new pair slower than that takes its place.
/// Not thread-safe: its owner locks.
/// </summary>
public sealed class SlowSubsTopK(int capacity, long windowMs)
{
    private readonly Dictionary<(string, string), SlowSubscription> _pairs = [];

    public int Count => _pairs.Count;

    /// <summary>The least slow span kept (ms) when K pairs are kept; 0 while there is room.</summary>
    public long Floor { get; private set; }

    /// <summary>Records a delivery of <paramref name="timespanMs"/> to <paramref name="clientId"/> on <paramref name="topic"/> at <paramref name="nowMs"/>.</summary>
    public void Record(string clientId, string topic, long timespanMs, long nowMs)
    {
        if (timespanMs <= Floor)
        {
            return;
        }

        var key = (clientId, topic);
        if (_pairs.TryGetValue(key, out var known))
        {
            _pairs[key] = known with { TimespanMs = Math.Max(known.TimespanMs, timespanMs), LastUpdateUnixMs = nowMs };
        }
        else
        {
            if (_pairs.Count >= capacity)
            {
                _pairs.Remove(Least().Key);
            }

            _pairs[key] = new SlowSubscription(clientId, topic, timespanMs, nowMs);
        }

        UpdateFloor();
    }

    /// <summary>Forgets the pairs not recorded within the window before <paramref name="nowMs"/>.</summary>
    public void Expire(long nowMs)
    {
        List<(string, string)>? old = null;
        foreach (var (k, v) in _pairs)
        {
            if (nowMs - v.LastUpdateUnixMs > windowMs)
            {
                (old ??= []).Add(k);
            }
        }

        if (old is not null)
        {
            foreach (var k in old)
            {
                _pairs.Remove(k);
            }

            UpdateFloor();
        }
    }

    /// <summary>The pairs kept at <paramref name="nowMs"/>, slowest first (then by client id and topic).</summary>
    public List<SlowSubscription> Snapshot(long nowMs)
    {
        Expire(nowMs);
        var list = _pairs.Values.ToList();
        list.Sort(WorstFirst);
        return list;
    }

    public void Clear()
    {
        _pairs.Clear();
        Floor = 0;
    }

    /// <summary>Slowest first, then by client id, topic and node.</summary>
    public static int WorstFirst(SlowSubscription a, SlowSubscription b)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        var c = b.TimespanMs.CompareTo(a.TimespanMs);
        c = c != 0 ? c : string.CompareOrdinal(a.ClientId, b.ClientId);
        c = c != 0 ? c : string.CompareOrdinal(a.Topic, b.Topic);
        return c != 0 ? c : string.CompareOrdinal(a.Node, b.Node);
    }

    private KeyValuePair<(string, string), SlowSubscription> Least()
    {
        var least = default(KeyValuePair<(string, string), SlowSubscription>);
        var leastSpan = long.MaxValue;
        foreach (var pair in _pairs)
        {
            if (pair.Value.TimespanMs < leastSpan)
            {
                (least, leastSpan) = (pair, pair.Value.TimespanMs);
            }
        }

        return least;
    }

    private void UpdateFloor() => Floor = _pairs.Count >= capacity ? Least().Value.TimespanMs : 0;
}
