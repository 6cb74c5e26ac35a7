using System.Diagnostics;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using RobustMq.Abstractions.Sessions;
using RobustMq.Gateway.Connections;

namespace RobustMq.Gateway.Hosting;

/// <summary>
/// Reaches every session directory shard (<see cref="SessionDirectory.Shards"/>) before the listeners accept clients,
/// so a fresh node's first connection storm does not pay for the shards' activation: each one, activated by the first
/// CONNECT of its ids, asks every live node which connections it holds and reads its part of the session index
/// (<c>SessionDirectoryGrain.OnActivateAsync</c>), 5% of the broker's CPU through the first 10,000 CONNECTs of a fresh
/// node (perf, issue 12). It also compiles the grain-call path the CONNECT takes. A shard that does not answer within
/// <see cref="Timeout"/> is logged and left to its first CONNECT: start-up goes on.
/// </summary>
public sealed partial class SessionDirectoryWarmUp(ConnectionServices services, ILogger<SessionDirectoryWarmUp> logger) : IHostedService
{
    /// <summary>How long start-up waits for the shards (seconds).</summary>
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        var calls = new Task[SessionDirectory.Shards];
        for (var shard = 0; shard < calls.Length; shard++)
        {
            // Lookup of an id no client has (an empty client id is assigned one before it reaches the directory): a
            // read that activates the shard and changes nothing.
            calls[shard] = services.DirectoryShard(shard).Lookup("");
        }

        try
        {
            await Task.WhenAll(calls).WaitAsync(Timeout, cancellationToken);
            LogWarmedUp(logger, calls.Length, clock.ElapsedMilliseconds);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            LogNotWarmedUp(logger, ex, calls.Count(c => c.IsCompletedSuccessfully), calls.Length);
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(Level = LogLevel.Debug, Message = "Session directory: {Shards} shards reached in {Milliseconds} ms")]
    private static partial void LogWarmedUp(ILogger logger, int shards, long milliseconds);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Session directory: {Reached} of {Shards} shards reached before the listeners open; the others activate on their first CONNECT")]
    private static partial void LogNotWarmedUp(ILogger logger, Exception ex, int reached, int shards);
}
