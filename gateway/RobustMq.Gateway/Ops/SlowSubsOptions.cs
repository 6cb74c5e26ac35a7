namespace RobustMq.Gateway.Ops;

/// <summary>The <c>SlowSubs</c> section: the settings a node starts with until some are stored (see <see cref="SlowSubsSettings"/>).</summary>
public sealed class SlowSubsOptions
{
    public const string Section = "SlowSubs";

    /// <summary>Whether slow subscriptions are measured (default false: one volatile read per acknowledgement).</summary>
    public bool Enable { get; set; }

    /// <summary>A delivery slower than this (ms, arrival to acknowledgement) is recorded.</summary>
    public long ThresholdMs { get; set; } = 500;

    /// <summary>How many of the slowest subscriber/topic pairs each node keeps.</summary>
    public int TopK { get; set; } = 10;

    /// <summary>How long a pair is kept after its last slow delivery (s).</summary>
    public long ExpireIntervalSeconds { get; set; } = 300;

    public SlowSubsSettings ToSettings() => new(Enable, ThresholdMs, TopK, ExpireIntervalSeconds);
}
