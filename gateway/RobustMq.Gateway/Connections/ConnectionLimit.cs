using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using RobustMq.Gateway.Listeners;
using RobustMq.Gateway.Metrics;

namespace RobustMq.Gateway.Connections;

/// <summary>
/// The most client connections this node holds at once, over every listener (<c>Listeners:MaxConnections</c>).
/// By default the process's open-file limit less the descriptors open at start-up and a reserve: the .NET runtime
/// fails fatally ("Out of memory.") when it cannot get a descriptor it needs, so clients must never take the last
/// ones. A connection over the limit is closed at once, before CONNECT (like Mosquitto's <c>max_connections</c>).
/// </summary>
public sealed partial class ConnectionLimit
{
    /// <summary>Descriptors left to the runtime, Orleans and the admin API beyond those open at start-up.</summary>
    public const int DescriptorReserve = 256;

    private static readonly TimeSpan LogInterval = TimeSpan.FromSeconds(10);
    private readonly BrokerMetrics _metrics;
    private readonly TimeProvider _clock;
    private readonly ILogger<ConnectionLimit> _logger;
    private int _open;
    private long _loggedAt;

    public ConnectionLimit(IOptions<ListenerOptions> options, BrokerMetrics metrics, TimeProvider clock, ILogger<ConnectionLimit> logger)
    {
        _metrics = metrics;
        _clock = clock;
        _logger = logger;
        var configured = options.Value.MaxConnections;
        Capacity = configured > 0 ? configured : FromOpenFileLimit(OpenFileLimit(), OpenDescriptors());
    }

    /// <summary>How many connections may be open at once.</summary>
    public int Capacity { get; }

    /// <summary>Connections open now.</summary>
    public int Open => Volatile.Read(ref _open);

    /// <summary>Takes a place for a new connection; false (counted and logged) when all are taken.</summary>
    public bool TryAcquire()
    {
        if (Interlocked.Increment(ref _open) <= Capacity)
        {
            return true;
        }

        Interlocked.Decrement(ref _open);
        _metrics.ConnectionsRefused.Inc();
        var now = _clock.GetTimestamp();
        var last = Volatile.Read(ref _loggedAt);
        if ((last == 0 || _clock.GetElapsedTime(last, now) > LogInterval) && Interlocked.CompareExchange(ref _loggedAt, now, last) == last)
        {
            LogRefused(_logger, Capacity);
        }

        return false;
    }

    public void Release() => Interlocked.Decrement(ref _open);

    /// <summary>The default capacity: the open-file limit less what is open now and the reserve (unlimited when unknown).</summary>
    internal static int FromOpenFileLimit(long? limit, int openNow) =>
        limit is { } max && max < int.MaxValue ? (int)Math.Max(1, max - openNow - DescriptorReserve) : int.MaxValue;

    /// <summary>The soft open-file limit from <c>/proc/self/limits</c>; null where there is none to read.</summary>
    internal static long? OpenFileLimit()
    {
        try
        {
            foreach (var line in File.ReadLines("/proc/self/limits"))
            {
                if (line.StartsWith("Max open files", StringComparison.Ordinal))
                {
                    var fields = line["Max open files".Length..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
                    return fields.Length > 0 && long.TryParse(fields[0], out var soft) ? soft : null;
                }
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // Not Linux, or /proc is not mounted.
        }

        return null;
    }

    private static int OpenDescriptors()
    {
        try
        {
            return Directory.GetFiles("/proc/self/fd").Length;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return 0;
        }
    }

    [LoggerMessage(EventId = 4003, Level = LogLevel.Warning, Message = "Refusing connections: {Capacity} are open, the most this node holds (Listeners:MaxConnections, by default the open-file limit less a reserve)")]
    private static partial void LogRefused(ILogger logger, int capacity);
}
