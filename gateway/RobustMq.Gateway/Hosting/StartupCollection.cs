using System.Diagnostics;
using System.Runtime;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace RobustMq.Gateway.Hosting;

/// <summary>
/// One full, compacting garbage collection once start-up is done and before the listeners accept clients. Start-up
/// leaves tens of megabytes of garbage (configuration, the silo's start, the JIT's warm-up) in a heap whose
/// generations have not been sized yet; without this collection, the first connection storm of a fresh node paid for
/// it with a blocking gen2 collection of 40-60 ms in its first second (GC events of a 10,000-CONNECT storm, issue 12).
/// It takes tens of milliseconds of start-up, with no client waiting.
/// </summary>
public sealed partial class StartupCollection(ILogger<StartupCollection> logger) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        var before = GC.GetTotalMemory(forceFullCollection: false);
        if (before > MaxHeapBytes)
        {
            // A node restarted on a large store: a blocking collection of this heap could pause it past the cluster's
            // membership probes. Its first storm pays for its garbage instead.
            LogSkipped(logger, before >> 20);
            return Task.CompletedTask;
        }

        GCSettings.LargeObjectHeapCompactionMode = GCLargeObjectHeapCompactionMode.CompactOnce;
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
        LogCollected(logger, before >> 20, GC.GetTotalMemory(forceFullCollection: false) >> 20, clock.ElapsedMilliseconds);
        return Task.CompletedTask;
    }

    /// <summary>The largest heap collected at start (256 MiB: about 0.1-0.2 s of one blocking collection here).</summary>
    public const long MaxHeapBytes = 256L << 20;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(Level = LogLevel.Debug, Message = "Start-up collection skipped: heap {MiB} MiB")]
    private static partial void LogSkipped(ILogger logger, long miB);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Start-up collection: heap {BeforeMiB} MiB -> {AfterMiB} MiB in {Milliseconds} ms")]
    private static partial void LogCollected(ILogger logger, long beforeMiB, long afterMiB, long milliseconds);
}
