namespace RobustMq.Gateway.Ops;

/// <summary>
/// A node's alarms (pure: the caller gives the time): at most one activated alarm per name; a deactivated one goes to
/// the history (the last <see cref="HistoryLimit"/>), which <see cref="ClearDeactivated"/> empties. Not thread-safe:
/// its owner locks.
/// </summary>
public sealed class AlarmState(string node)
{
    /// <summary>How many deactivated alarms are kept.</summary>
    public const int HistoryLimit = 100;

    private readonly Dictionary<string, Alarm> _active = new(StringComparer.Ordinal);
    private readonly LinkedList<Alarm> _history = new();

    /// <summary>Activates <paramref name="name"/>; returns the alarm when it was not active (a change to publish), else null (its details are updated).</summary>
    public Alarm? Activate(string name, string message, Dictionary<string, string> details, long nowMs)
    {
        if (_active.TryGetValue(name, out var known))
        {
            _active[name] = known with { Message = message, Details = details };
            return null;
        }

        var alarm = new Alarm(name, message, details, nowMs, null, node);
        _active[name] = alarm;
        return alarm;
    }

    /// <summary>Deactivates <paramref name="name"/>; returns the deactivated alarm when it was active, else null.</summary>
    public Alarm? Deactivate(string name, long nowMs)
    {
        if (!_active.Remove(name, out var known))
        {
            return null;
        }

        var ended = known with { DeactivatedAtUnixMs = nowMs };
        _history.AddFirst(ended);
        while (_history.Count > HistoryLimit)
        {
            _history.RemoveLast();
        }

        return ended;
    }

    /// <summary>The alarms: activated ones when <paramref name="activated"/> is true, deactivated ones when false, both when null; newest first.</summary>
    public List<Alarm> List(bool? activated)
    {
        var list = new List<Alarm>();
        if (activated is null or true)
        {
            list.AddRange(_active.Values.OrderByDescending(a => a.ActivatedAtUnixMs).ThenBy(a => a.Name, StringComparer.Ordinal));
        }

        if (activated is null or false)
        {
            list.AddRange(_history);
        }

        return list;
    }

    /// <summary>Forgets the deactivated alarms.</summary>
    public void ClearDeactivated() => _history.Clear();
}
