namespace RobustMq.Gateway.Ops;

/// <summary>
/// The <c>Trace</c> section (EMQX's log trace): where each node writes its trace files and how large they may grow.
/// </summary>
public sealed class TraceOptions
{
    public const string Section = "Trace";
    public const long DefaultMaxFileBytes = 100L * 1024 * 1024;
    public const int DefaultMaxTraces = 30;
    public const int StandardDurationSeconds = 600;
    public const int DefaultMaxDurationSeconds = 7 * 24 * 3600;
    public const int DefaultPayloadPreviewBytes = 64;
    public const int DefaultQueueCapacity = 10_000;

    /// <summary>
    /// The folder of this node's trace files, one <c>{name}.{id}.trace.log</c> per trace (start-up removes only
    /// <c>*.trace.log</c> files of traces no longer stored: the folder may hold other files); the host's default is
    /// <c>{Storage:Path}/trace</c>.
    /// </summary>
    public string? Directory { get; set; }

    /// <summary>A trace file stops growing at this many bytes (a last line says so); at least 4096.</summary>
    public long MaxFileBytes { get; set; } = DefaultMaxFileBytes;

    /// <summary>How many traces may be stored at once, waiting, running or stopped (a stopped one keeps its files until it is deleted; EMQX: 30).</summary>
    public int MaxTraces { get; set; } = DefaultMaxTraces;

    /// <summary>How long a trace runs when neither <c>end_at</c> nor <c>duration_s</c> is given (10 minutes).</summary>
    public int DefaultDurationSeconds { get; set; } = StandardDurationSeconds;

    /// <summary>The longest a trace may run (7 days).</summary>
    public int MaxDurationSeconds { get; set; } = DefaultMaxDurationSeconds;

    /// <summary>How many payload bytes a PUBLISH line shows (0-1024); the size is always given.</summary>
    public int PayloadPreviewBytes { get; set; } = DefaultPayloadPreviewBytes;

    /// <summary>Lines waiting for the node's trace writer at most; past it lines are dropped and counted.</summary>
    public int QueueCapacity { get; set; } = DefaultQueueCapacity;

    /// <summary>What is wrong with these options, naming the key; empty when nothing.</summary>
    public IEnumerable<string> Problems()
    {
        if (MaxFileBytes < 4096)
        {
            yield return $"Trace:MaxFileBytes must be 4096 or more (got {MaxFileBytes})";
        }

        if (MaxTraces is < 1 or > 1000)
        {
            yield return $"Trace:MaxTraces must be 1-1000 (got {MaxTraces})";
        }

        if (MaxDurationSeconds < 1)
        {
            yield return $"Trace:MaxDurationSeconds must be 1 or more (got {MaxDurationSeconds})";
        }

        if (DefaultDurationSeconds < 1 || DefaultDurationSeconds > MaxDurationSeconds)
        {
            yield return $"Trace:DefaultDurationSeconds must be 1 .. Trace:MaxDurationSeconds (got {DefaultDurationSeconds})";
        }

        if (PayloadPreviewBytes is < 0 or > 1024)
        {
            yield return $"Trace:PayloadPreviewBytes must be 0-1024 (got {PayloadPreviewBytes})";
        }

        if (QueueCapacity is < 16 or > 1_000_000)
        {
            yield return $"Trace:QueueCapacity must be 16-1000000 (got {QueueCapacity})";
        }
    }
}
