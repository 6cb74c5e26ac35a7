namespace RobustMq.Gateway.Ops;

/// <summary>
/// The <c>Alarms</c> section (RobustMQ's <c>[mqtt_runtime.system_monitor]</c>, EMQX's <c>sysmon</c> alarms): the
/// watermarks of <c>high_system_memory_usage</c> and <c>high_cpu_usage</c>, in percent (raised above the high one,
/// cleared below the low one, as EMQX's <c>sysmon.os</c> high/low watermarks), and how often they (and the storage and
/// queue alarms) are checked.
/// </summary>
public sealed class AlarmOptions
{
    public const string Section = "Alarms";

    /// <summary>Whether the node checks its alarms (default true).</summary>
    public bool Enable { get; set; } = true;

    /// <summary>System memory in use (the container's limit when it has one, else MemTotal - MemAvailable of /proc/meminfo) above this percentage raises <c>high_system_memory_usage</c>.</summary>
    public double MemoryHighWatermark { get; set; } = 80;

    /// <summary>Memory in use below this percentage clears <c>high_system_memory_usage</c> (0 up to below the high watermark; default 70).</summary>
    public double MemoryLowWatermark { get; set; } = 70;

    /// <summary>This process's CPU time over the last interval, as a percentage of all cores, above this raises <c>high_cpu_usage</c>.</summary>
    public double CpuHighWatermark { get; set; } = 80;

    /// <summary>CPU use below this percentage clears <c>high_cpu_usage</c> (0 up to below the high watermark; EMQX's <c>cpu_low_watermark</c>: 60).</summary>
    public double CpuLowWatermark { get; set; } = 60;

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

        if (MemoryLowWatermark < 0 || (MemoryHighWatermark is > 0 and <= 100 && MemoryLowWatermark >= MemoryHighWatermark))
        {
            yield return $"Alarms:MemoryLowWatermark must be 0 or more and below Alarms:MemoryHighWatermark ({MemoryHighWatermark}) (percent; got {MemoryLowWatermark})";
        }

        if (CpuLowWatermark < 0 || (CpuHighWatermark is > 0 and <= 100 && CpuLowWatermark >= CpuHighWatermark))
        {
            yield return $"Alarms:CpuLowWatermark must be 0 or more and below Alarms:CpuHighWatermark ({CpuHighWatermark}) (percent; got {CpuLowWatermark})";
        }

        if (CheckIntervalSeconds is < 1 or > 3600)
        {
            yield return $"Alarms:CheckIntervalSeconds must be 1-3600 (got {CheckIntervalSeconds})";
        }
    }
}
