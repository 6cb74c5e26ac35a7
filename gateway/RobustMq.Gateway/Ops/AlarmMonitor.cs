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
/// <item><c>high_system_memory_usage</c>: memory in use (<c>/proc/meminfo</c> MemTotal - MemAvailable; elsewhere the
/// GC's view of the machine) above <c>Alarms:MemoryHighWatermark</c> percent.</item>
/// <item><c>high_cpu_usage</c>: this process's CPU time over the interval, as a share of all cores, above
/// <c>Alarms:CpuHighWatermark</c> percent.</item>
/// <item><c>storage_errors</c>: publishes refused because the store failed or was full (messages dropped as
/// <c>not_stored</c>) during the interval.</item>
/// <item><c>queue_limit_hit</c>: messages dropped because a session's queue held <c>Mqtt:MaxQueuedMessages</c>
/// (<c>queue_full</c>) during the interval.</item>
/// </list>
/// Each is activated when its condition is seen and deactivated at the first check where it is not. Every change is
/// published (JSON, QoS 0, not retained) to <c>$SYS/brokers/{node}/alarms/alert</c> or <c>.../alarms/clear</c>.
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
        if (MemoryUsage() is { } memory)
        {
            Decide(changes, Alarm.HighMemory, memory.Percent > o.MemoryHighWatermark,
                $"System memory usage is higher than {F(o.MemoryHighWatermark)}%",
                new() { ["usage"] = F(memory.Percent) + "%", ["high_watermark"] = F(o.MemoryHighWatermark) + "%", ["total_bytes"] = memory.Total.ToString(CultureInfo.InvariantCulture) }, now);
        }

        if (CpuUsage() is { } cpu)
        {
            Decide(changes, Alarm.HighCpu, cpu > o.CpuHighWatermark,
                $"CPU usage is higher than {F(o.CpuHighWatermark)}%",
                new() { ["usage"] = F(cpu) + "%", ["high_watermark"] = F(o.CpuHighWatermark) + "%" }, now);
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

            var payload = JsonSerializer.SerializeToUtf8Bytes(View(alarm));
            await router.PublishAsync(new BrokerMessage(prefix + (alarm.Activated ? "alert" : "clear"), payload, 0, false), cancellationToken);
        }
    }

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

    /// <summary>The machine's memory in use, in percent, and its total in bytes.</summary>
    private static (double Percent, long Total)? MemoryUsage()
    {
        try
        {
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
}
