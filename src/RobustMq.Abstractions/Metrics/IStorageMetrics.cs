namespace RobustMq.Abstractions.Metrics;

/// <summary>
/// Meters storage writes (<c>robustmq_storage_write_duration_seconds</c>, <c>robustmq_storage_writes_pending</c>): a
/// node-local service on every silo, so the storage engines report without referencing the gateway that exports it.
/// </summary>
public interface IStorageMetrics
{
    /// <summary>The meter of <paramref name="backend"/>'s writes (memory, rocksdb, segment, postgres); bound once per engine.</summary>
    IStorageWriteMeter ForBackend(string backend);
}

/// <summary>One backend's write meter.</summary>
public interface IStorageWriteMeter
{
    /// <summary>A write starts: counted as pending; returns the start timestamp (<see cref="System.Diagnostics.Stopwatch.GetTimestamp"/>).</summary>
    long Started();

    /// <summary>The write that started at <paramref name="started"/> ended (applied or failed): no longer pending, its duration observed.</summary>
    void Ended(long started);
}
