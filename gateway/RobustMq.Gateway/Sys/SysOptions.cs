namespace RobustMq.Gateway.Sys;

/// <summary>The <c>Sys</c> section: how often <c>$SYS</c> topics are published (0 turns them off).</summary>
public sealed class SysOptions
{
    public const string Section = "Sys";
    public const int DefaultIntervalSeconds = 10;

    public int IntervalSeconds { get; set; } = DefaultIntervalSeconds;
}
