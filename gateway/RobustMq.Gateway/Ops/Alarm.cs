namespace RobustMq.Gateway.Ops;

/// <summary>One alarm of a node (EMQX's alarm fields): activated while its condition holds, kept as history after.</summary>
[GenerateSerializer, Immutable, Alias("robustmq.alarm")]
public sealed record Alarm(
    [property: Id(0)] string Name,
    [property: Id(1)] string Message,
    [property: Id(2)] Dictionary<string, string> Details,
    [property: Id(3)] long ActivatedAtUnixMs,
    [property: Id(4)] long? DeactivatedAtUnixMs,
    [property: Id(5)] string Node)
{
    public bool Activated => DeactivatedAtUnixMs is null;

    public const string HighMemory = "high_system_memory_usage";
    public const string HighCpu = "high_cpu_usage";
    public const string StorageErrors = "storage_errors";
    public const string QueueLimitHit = "queue_limit_hit";
}
