namespace RobustMq.Gateway.Ops;

/// <summary>
/// The <c>Alarms</c> section (RobustMQ's <c>[mqtt_runtime.system_monitor]</c>, EMQX's <c>sysmon</c> alarms): the
/// watermarks of <c>high_system_memory_usage</c> and <c>high_cpu_usage</c>, in percent, and how often they (and the
/// storage and queue alarms) are checked.
/// </summary>
public sealed class AlarmOptions
{
    public const string Section = "Alarms";

    /// <summary>Whether the node checks its alarms (default true).</summary>
    public bool Enable { get; set; } = true;

    /// <summary>System memory in use (MemTotal - MemAvailable of /proc/meminfo) above this percentage raises <c>high_system_memory_usage</c>.</summary>
    public double MemoryHighWatermark { get; set; } = 80;

    /// <summary>This process's CPU time over the last interval, as a percentage of all cores, above this raises <c>high_cpu_usage</c>.</summary>
    public double CpuHighWatermark { get; set; } = 80;

    /// <summary>Seconds between checks (1-3600).</summary>
    public int CheckIntervalSeconds { get; set; } = 30;

    /// <summary>What is wrong with these options, naming the key.</summary>
    public IEnumerable<string> Problems()
    {
        if (MemoryHighWatermark is <= 0 or > 100)
        {
            yield return $"Alarms:MemoryHighWatermark must be above 0 and at most 100 (percent; got {MemoryHighWatermark})";
        }

        if (CpuHighWatermark is <= 0 or > 100)
        {
            yield return $"Alarms:CpuHighWatermark must be above 0 and at most 100 (percent; got {CpuHighWatermark})";
        }

        if (CheckIntervalSeconds is < 1 or > 3600)
        {
            yield return $"Alarms:CheckIntervalSeconds must be 1-3600 (got {CheckIntervalSeconds})";
        }
    }
}
