using System.Collections.Concurrent;

namespace RobustMq.Gateway.Security.Blacklist;

/// <summary>Configuration section <c>Flapping</c>: flapping detection (as EMQX's).</summary>
public sealed class FlappingOptions
{
    public const string Section = "Flapping";

    /// <summary>Whether a client id that connects too often is banned; off by default.</summary>
    public bool Enabled { get; set; }

    /// <summary>The most CONNECTs a client id may send in <see cref="WindowSeconds"/>; one more bans it.</summary>
    public int MaxConnects { get; set; } = 15;

    /// <summary>The window the CONNECTs are counted in (seconds).</summary>
    public int WindowSeconds { get; set; } = 60;

    /// <summary>How long a flapping client id is banned (seconds).</summary>
    public int BanSeconds { get; set; } = 300;
}

/// <summary>
/// Counts each client id's CONNECTs on this node in fixed windows of <see cref="FlappingOptions.WindowSeconds"/>: the
/// one past <see cref="FlappingOptions.MaxConnects"/> makes the caller ban the client id (through the blacklist, so the
/// ban holds on every node) for <see cref="FlappingOptions.BanSeconds"/>. Counts are per node, as EMQX's: a client that
/// spreads its reconnects over several nodes is counted on each. Thread-safe.
/// </summary>
public sealed class FlappingDetector(FlappingOptions options)
{
    /// <summary>How many client ids are counted before a CONNECT also forgets the ended windows (at most once a window).</summary>
    public const int SweepAbove = 10_000;

    private readonly ConcurrentDictionary<string, Window> _windows = new(StringComparer.Ordinal);
    private long _sweptAtUnixMs;

    public FlappingOptions Options { get; } = options;

    /// <summary>
    /// Counts a CONNECT from <paramref name="clientId"/> at <paramref name="nowUnixMs"/>; true when it is the one past
    /// the limit (the client id is flapping). The count starts again after that.
    /// </summary>
    public bool Connected(string clientId, long nowUnixMs)
    {
        if (!Options.Enabled)
        {
            return false;
        }

        var windowMs = Options.WindowSeconds * 1000L;
        if (_windows.Count >= SweepAbove && nowUnixMs - Volatile.Read(ref _sweptAtUnixMs) >= windowMs)
        {
            Volatile.Write(ref _sweptAtUnixMs, nowUnixMs);
            Sweep(nowUnixMs);
        }

        while (true)
        {
            var current = _windows.GetOrAdd(clientId, static (_, now) => new Window(now, 0), nowUnixMs);
            var next = nowUnixMs - current.StartUnixMs >= windowMs ? new Window(nowUnixMs, 1) : current with { Count = current.Count + 1 };
            var flapping = next.Count > Options.MaxConnects;
            if (flapping ? _windows.TryRemove(new KeyValuePair<string, Window>(clientId, current)) : _windows.TryUpdate(clientId, next, current))
            {
                return flapping;
            }
        }
    }

    /// <summary>Forgets the windows that ended before <paramref name="nowUnixMs"/>, so the table does not grow with every id ever seen.</summary>
    public void Sweep(long nowUnixMs)
    {
        var windowMs = Options.WindowSeconds * 1000L;
        foreach (var (clientId, window) in _windows)
        {
            if (nowUnixMs - window.StartUnixMs >= windowMs)
            {
                _windows.TryRemove(new KeyValuePair<string, Window>(clientId, window));
            }
        }
    }

    /// <summary>The client ids counted now.</summary>
    public int Tracked => _windows.Count;

    private sealed record Window(long StartUnixMs, int Count);
}
