using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using RobustMq.Abstractions.Messages;
using RobustMq.Abstractions.Metrics;
using RobustMq.Abstractions.Routing;
using RobustMq.Gateway.Hosting;
using RobustMq.Gateway.Metrics;

namespace RobustMq.Gateway.Ops;

/// <summary>
/// This node's alarms (RobustMQ's system monitor, EMQX's alarms), checked every <c>Alarms:CheckIntervalSeconds</c>
/// (the first check at start):
/// <list type="bullet">
/// <item><c>high_system_memory_usage</c>: memory in use above <c>Alarms:MemoryHighWatermark</c> percent, cleared below
/// <c>Alarms:MemoryLowWatermark</c>: in a container with a memory limit (cgroup v2 <c>memory.max</c>, v1
/// <c>memory.limit_in_bytes</c> below the host's memory) the container's use (less its inactive file cache, as
/// Kubernetes' working set) over its limit; else <c>/proc/meminfo</c> MemTotal - MemAvailable; elsewhere the GC's view
/// of the machine.</item>
/// <item><c>high_cpu_usage</c>: this process's CPU time over the interval, as a share of all cores, above
/// <c>Alarms:CpuHighWatermark</c> percent, cleared below <c>Alarms:CpuLowWatermark</c>.</item>
/// <item><c>storage_errors</c>: publishes refused because the store failed or was full (messages dropped as
/// <c>not_stored</c>) during the interval.</item>
/// <item><c>queue_limit_hit</c>: messages dropped because a session's queue held <c>Mqtt:MaxQueuedMessages</c>
/// (<c>queue_full</c>) during the interval.</item>
/// </list>
/// The storage and queue alarms are activated when their condition is seen and deactivated at the first check where it
/// is not. Every change is published (JSON, QoS 0, not retained) to <c>$SYS/brokers/{node}/alarms/alert</c> or
/// <c>.../alarms/clear</c>; one that cannot be published (storage down, the router not ready at start) is logged and
/// tried again at the next checks, in order per alarm (<see cref="AlarmOutbox"/>).
/// </summary>
public sealed partial class AlarmMonitor(
    IOptions<AlarmOptions> options,
    BrokerMetrics metrics,
    IMessageRouter router,
    NodeIdentity node,
    TimeProvider clock,
    ILogger<AlarmMonitor> logger) : BackgroundService
{
    private readonly Lock _lock = new();
    private readonly AlarmState _state = new(node.Name);
    private readonly AlarmOutbox _outbox = new();
    private double _queueFull = double.NaN;
    private double _notStored = double.NaN;
    private TimeSpan _cpu;
    private long _cpuAt;

    /// <summary>The node's alarms (see <see cref="AlarmState.List"/>).</summary>
    public List<Alarm> List(bool? activated)
    {
        lock (_lock)
        {
            return _state.List(activated);
        }
    }

    /// <summary>Forgets the node's deactivated alarms.</summary>
    public void ClearDeactivated()
    {
        lock (_lock)
        {
            _state.ClearDeactivated();
        }
    }

    /// <summary>The JSON of an alarm, as the API lists it and <c>$SYS</c> publishes it.</summary>
    public static Dictionary<string, object?> View(Alarm alarm)
    {
        ArgumentNullException.ThrowIfNull(alarm);
        return new Dictionary<string, object?>
        {
            ["name"] = alarm.Name,
            ["message"] = alarm.Message,
            ["details"] = alarm.Details,
            ["activated_at"] = DateTimeOffset.FromUnixTimeMilliseconds(alarm.ActivatedAtUnixMs),
            ["deactivated_at"] = alarm.DeactivatedAtUnixMs is { } at ? DateTimeOffset.FromUnixTimeMilliseconds(at) : null,
            ["activated"] = alarm.Activated,
            ["node"] = alarm.Node,
        };
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var o = options.Value;
        if (!o.Enable)
        {
            return;
        }

        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(o.CheckIntervalSeconds), clock);
        do
        {
            try
            {
                await CheckAsync(o, stoppingToken);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                LogCheckFailed(logger, ex);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    private async Task CheckAsync(AlarmOptions o, CancellationToken cancellationToken)
    {
        var changes = new List<Alarm>();
        var now = clock.GetUtcNow().ToUnixTimeMilliseconds();
        if (MemoryUsage() is { } memory && Watermark(memory.Percent, o.MemoryHighWatermark, o.MemoryLowWatermark) is { } memoryHigh)
        {
            Decide(changes, Alarm.HighMemory, memoryHigh,
                $"System memory usage is higher than {F(o.MemoryHighWatermark)}%",
                new()
                {
                    ["usage"] = F(memory.Percent) + "%", ["high_watermark"] = F(o.MemoryHighWatermark) + "%", ["low_watermark"] = F(o.MemoryLowWatermark) + "%",
                    ["total_bytes"] = memory.Total.ToString(CultureInfo.InvariantCulture),
                }, now);
        }

        if (CpuUsage() is { } cpu && Watermark(cpu, o.CpuHighWatermark, o.CpuLowWatermark) is { } cpuHigh)
        {
            Decide(changes, Alarm.HighCpu, cpuHigh,
                $"CPU usage is higher than {F(o.CpuHighWatermark)}%",
                new() { ["usage"] = F(cpu) + "%", ["high_watermark"] = F(o.CpuHighWatermark) + "%", ["low_watermark"] = F(o.CpuLowWatermark) + "%" }, now);
        }

        var notStored = Increase(ref _notStored, DropReasons.NotStored);
        Decide(changes, Alarm.StorageErrors, notStored > 0,
            "The storage engine failed: publishes were refused",
            new() { ["refused_messages"] = notStored.ToString(CultureInfo.InvariantCulture), ["interval_s"] = o.CheckIntervalSeconds.ToString(CultureInfo.InvariantCulture) }, now);
        var queueFull = Increase(ref _queueFull, DropReasons.QueueFull);
        Decide(changes, Alarm.QueueLimitHit, queueFull > 0,
            "Session queues were full: messages were dropped",
            new() { ["dropped_messages"] = queueFull.ToString(CultureInfo.InvariantCulture), ["interval_s"] = o.CheckIntervalSeconds.ToString(CultureInfo.InvariantCulture) }, now);

        var prefix = $"$SYS/brokers/{node.DisplayName}/alarms/";
        foreach (var alarm in changes)
        {
            if (alarm.Activated)
            {
                LogActivated(logger, alarm.Name, alarm.Message);
            }
            else
            {
                LogDeactivated(logger, alarm.Name);
            }

            if (_outbox.Add(alarm.Name, prefix + (alarm.Activated ? "alert" : "clear"), JsonSerializer.SerializeToUtf8Bytes(View(alarm))) is > 0 and var dropped)
            {
                LogPendingDropped(logger, dropped, _outbox.Capacity);
            }
        }

        await _outbox.PublishAsync(
            async (topic, payload, ct) => await router.PublishAsync(new BrokerMessage(topic, payload, 0, false), ct),
            (ex, name, topic) => LogPublishFailed(logger, ex, name, topic),
            cancellationToken);
    }

    /// <summary>
    /// The watermark decision (EMQX's sysmon): true (raise) above <paramref name="high"/>, false (clear) below
    /// <paramref name="low"/>, null (as it is) in between, so a use hovering at a watermark does not flap.
    /// </summary>
    public static bool? Watermark(double usage, double high, double low) => usage > high ? true : usage < low ? false : (bool?)null;

    private void Decide(List<Alarm> changes, string name, bool raised, string message, Dictionary<string, string> details, long now)
    {
        lock (_lock)
        {
            if ((raised ? _state.Activate(name, message, details, now) : _state.Deactivate(name, now)) is { } changed)
            {
                changes.Add(changed);
            }
        }
    }

    /// <summary>How many messages were dropped for <paramref name="reason"/> since the last check (0 at the first).</summary>
    private long Increase(ref double last, string reason)
    {
        var value = metrics.MessagesDropped.WithLabels(reason).Value;
        var increase = double.IsNaN(last) ? 0 : value - last;
        last = value;
        return (long)increase;
    }

    /// <summary>The process's CPU time since the last check, as a percentage of all cores; null at the first check.</summary>
    private double? CpuUsage()
    {
        using var process = Process.GetCurrentProcess();
        var cpu = process.TotalProcessorTime;
        var at = clock.GetTimestamp();
        var first = _cpuAt == 0;
        var elapsed = first ? TimeSpan.Zero : clock.GetElapsedTime(_cpuAt, at);
        var used = cpu - _cpu;
        (_cpu, _cpuAt) = (cpu, at);
        return first || elapsed <= TimeSpan.Zero ? null : 100.0 * used.TotalMilliseconds / (elapsed.TotalMilliseconds * Environment.ProcessorCount);
    }

    /// <summary>The memory in use, in percent, and its total in bytes: the container's when it has a limit, else the machine's.</summary>
    private static (double Percent, long Total)? MemoryUsage()
    {
        try
        {
            if (CgroupMemory("/sys/fs/cgroup", HostMemory()) is { } container)
            {
                return container;
            }

            if (File.Exists("/proc/meminfo"))
            {
                long total = 0, available = -1;
                foreach (var line in File.ReadLines("/proc/meminfo"))
                {
                    if (line.StartsWith("MemTotal:", StringComparison.Ordinal))
                    {
                        total = Kilobytes(line);
                    }
                    else if (line.StartsWith("MemAvailable:", StringComparison.Ordinal))
                    {
                        available = Kilobytes(line);
                    }
                }

                if (total > 0 && available >= 0)
                {
                    return (100.0 * (total - available) / total, total);
                }
            }
        }
        catch (IOException)
        {
            // The GC's view below.
        }

        var info = GC.GetGCMemoryInfo();
        return info.TotalAvailableMemoryBytes > 0 ? (100.0 * info.MemoryLoadBytes / info.TotalAvailableMemoryBytes, info.TotalAvailableMemoryBytes) : null;
    }

    /// <summary>
    /// The memory in use of the cgroup at <paramref name="root"/> (<c>/sys/fs/cgroup</c>) over its limit, in percent, and
    /// the limit in bytes; null when it has none. cgroup v2: <c>memory.current</c> / <c>memory.max</c> (a number, not
    /// <c>max</c>); v1: <c>memory/memory.usage_in_bytes</c> / <c>memory/memory.limit_in_bytes</c> when the limit is below
    /// <paramref name="hostTotal"/> (v1 writes a huge number for none). The inactive file cache (<c>memory.stat</c>
    /// <c>inactive_file</c>, v1 <c>total_inactive_file</c>) is not counted as in use: the kernel reclaims it first.
    /// </summary>
    internal static (double Percent, long Total)? CgroupMemory(string root, long hostTotal)
    {
        try
        {
            if (Number(Path.Combine(root, "memory.max")) is { } max and > 0)
            {
                return Share(Number(Path.Combine(root, "memory.current")), max, Stat(Path.Combine(root, "memory.stat"), "inactive_file"));
            }

            var v1 = Path.Combine(root, "memory");
            if (Number(Path.Combine(v1, "memory.limit_in_bytes")) is { } limit and > 0 && (hostTotal <= 0 || limit < hostTotal))
            {
                return Share(Number(Path.Combine(v1, "memory.usage_in_bytes")), limit, Stat(Path.Combine(v1, "memory.stat"), "total_inactive_file"));
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // No readable cgroup: the machine's view.
        }

        return null;

        static (double, long)? Share(long? used, long limit, long inactive) =>
            used is { } u ? (100.0 * Math.Max(0, u - inactive) / limit, limit) : null;
    }

    /// <summary>The number in a one-line file (<c>max</c>, missing or unreadable: null).</summary>
    private static long? Number(string path) =>
        File.Exists(path) && long.TryParse(File.ReadAllText(path).Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n : null;

    /// <summary>A field of a <c>memory.stat</c> file (<c>name value</c> lines), 0 when missing.</summary>
    private static long Stat(string path, string name)
    {
        if (!File.Exists(path))
        {
            return 0;
        }

        foreach (var line in File.ReadLines(path))
        {
            var space = line.IndexOf(' ', StringComparison.Ordinal);
            if (space == name.Length && line.StartsWith(name, StringComparison.Ordinal)
                && long.TryParse(line.AsSpan(space + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var value))
            {
                return value;
            }
        }

        return 0;
    }

    /// <summary>The host's MemTotal (bytes) from <c>/proc/meminfo</c>, 0 when unknown.</summary>
    private static long HostMemory()
    {
        if (!File.Exists("/proc/meminfo"))
        {
            return 0;
        }

        foreach (var line in File.ReadLines("/proc/meminfo"))
        {
            if (line.StartsWith("MemTotal:", StringComparison.Ordinal))
            {
                return Kilobytes(line);
            }
        }

        return 0;
    }

    private static long Kilobytes(string line)
    {
        var parts = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        return parts.Length >= 2 && long.TryParse(parts[1], CultureInfo.InvariantCulture, out var kb) ? kb * 1024 : 0;
    }

    private static string F(double value) => value.ToString("0.##", CultureInfo.InvariantCulture);

    [LoggerMessage(EventId = 8421, Level = LogLevel.Warning, Message = "Alarm {Name} activated: {Message}")]
    private static partial void LogActivated(ILogger logger, string name, string message);

    [LoggerMessage(EventId = 8422, Level = LogLevel.Information, Message = "Alarm {Name} deactivated")]
    private static partial void LogDeactivated(ILogger logger, string name);

    [LoggerMessage(EventId = 8423, Level = LogLevel.Warning, Message = "Checking the alarms failed")]
    private static partial void LogCheckFailed(ILogger logger, Exception ex);

    [LoggerMessage(EventId = 8424, Level = LogLevel.Warning, Message = "Alarm {Name}: publishing on {Topic} failed; tried again at the next check")]
    private static partial void LogPublishFailed(ILogger logger, Exception ex, string name, string topic);

    [LoggerMessage(EventId = 8425, Level = LogLevel.Warning, Message = "Alarms: {Count} unpublished changes dropped (more than {Capacity} waited)")]
    private static partial void LogPendingDropped(ILogger logger, int count, int capacity);
}
