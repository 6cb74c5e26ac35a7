namespace RobustMq.Gateway.Ops;

/// <summary>
/// The top K slowest subscriber/topic pairs over a window (pure: the caller gives the time). A pair keeps its slowest
/// delivery and the time of its last slow one; a pair not slow again within the window is forgotten. When K pairs are
/// kept, a new pair takes the place of the least slow one only if it is slower. Not thread-safe: its owner locks.
/// </summary>
public sealed class SlowSubsTopK(int capacity, long windowMs)
{
    private readonly Dictionary<(string, string), SlowSubscription> _pairs = [];

    public int Count => _pairs.Count;

    /// <summary>Records a delivery of <paramref name="timespanMs"/> to <paramref name="clientId"/> on <paramref name="topic"/> at <paramref name="nowMs"/>.</summary>
    public void Record(string clientId, string topic, long timespanMs, long nowMs)
    {
        Expire(nowMs);
        var key = (clientId, topic);
        if (_pairs.TryGetValue(key, out var known))
        {
            _pairs[key] = known with { TimespanMs = Math.Max(known.TimespanMs, timespanMs), LastUpdateUnixMs = nowMs };
            return;
        }

        if (_pairs.Count >= capacity)
        {
            var least = default((string, string));
            var leastSpan = long.MaxValue;
            foreach (var (k, v) in _pairs)
            {
                if (v.TimespanMs < leastSpan)
                {
                    (least, leastSpan) = (k, v.TimespanMs);
                }
            }

            if (timespanMs <= leastSpan)
            {
                return;
            }

            _pairs.Remove(least);
        }

        _pairs[key] = new SlowSubscription(clientId, topic, timespanMs, nowMs);
    }

    /// <summary>The pairs kept at <paramref name="nowMs"/>, slowest first (then by client id and topic).</summary>
    public List<SlowSubscription> Snapshot(long nowMs)
    {
        Expire(nowMs);
        var list = _pairs.Values.ToList();
        list.Sort(WorstFirst);
        return list;
    }

    public void Clear() => _pairs.Clear();

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

    private void Expire(long nowMs)
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
        }
    }
}
