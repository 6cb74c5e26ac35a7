using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using RobustMq.Abstractions.Nodes;
using RobustMq.Abstractions.Sessions;
using RobustMq.Grains.Routing;

namespace RobustMq.Grains.Sessions;

/// <summary>
/// Keeps the session directory's shards (<see cref="SessionDirectoryGrain"/>) running in a cluster, where they look after
/// the sessions of gateway silos that die. A shard acts on a silo's death only while it is active, and Orleans may leave
/// one inactive with nobody calling it: its silo died or stopped, or the grain directory deactivated it (its directory
/// entry was on a silo that died) and its own call to start again was lost. So every grains silo tells every shard the
/// silos its membership view holds dead (<see cref="ISessionDirectoryGrain.ForgetNodes"/>) as soon as that view
/// declares one more dead, and every <see cref="SweepInterval"/> besides: an active shard that has looked after them does
/// nothing, an inactive one starts again (rebuilt from the live nodes and the session index) and wakes their sessions.
/// </summary>
public sealed partial class SessionDirectoryKeeper(
    IGrainFactory grains,
    IClusterMembershipService membership,
    IOptions<RouteTableOptions> routeTable,
    IOptions<Orleans.Configuration.GrainTypeOptions> grainTypes,
    TimeProvider clock,
    ILogger<SessionDirectoryKeeper> logger) : ILifecycleParticipant<ISiloLifecycle>, IDisposable
{
    /// <summary>How often every shard is told the dead nodes even when no silo died: the longest a will waits for a shard that missed a death.</summary>
    public static readonly TimeSpan SweepInterval = TimeSpan.FromSeconds(30);

    /// <summary>How often this silo's membership view is checked for a silo declared dead.</summary>
    private static readonly TimeSpan PollInterval = TimeSpan.FromSeconds(1);

    /// <summary>How long one shard's answer is waited for.</summary>
    private static readonly TimeSpan CallTimeout = TimeSpan.FromSeconds(10);

    private readonly CancellationTokenSource _stopping = new();

    public void Participate(ISiloLifecycle lifecycle)
    {
        ArgumentNullException.ThrowIfNull(lifecycle);
        if (!routeTable.Value.Durable || !grainTypes.Value.Classes.Contains(typeof(SessionDirectoryGrain)))
        {
            // One node (its gateway and its grains die together), or a gateway-only silo (it hosts no shard).
            return;
        }

        lifecycle.Subscribe(nameof(SessionDirectoryKeeper), ServiceLifecycleStage.Active, starting =>
        {
            _ = KeepAsync(_stopping.Token);
            return Task.CompletedTask;
        }, _ => { Dispose(); return Task.CompletedTask; });
    }

    public void Dispose()
    {
        if (!_stopping.IsCancellationRequested)
        {
            _stopping.Cancel();
        }
    }

    private async Task KeepAsync(CancellationToken cancellationToken)
    {
        var told = new HashSet<string>(StringComparer.Ordinal);
        var swept = clock.GetTimestamp();
        using var timer = new PeriodicTimer(PollInterval, clock);
        try
        {
            while (await timer.WaitForNextTickAsync(cancellationToken))
            {
                var dead = new List<string>();
                var fresh = false;
                foreach (var member in membership.CurrentSnapshot.Members.Values)
                {
                    if (member.Status == SiloStatus.Dead)
                    {
                        var node = NodeNames.Of(member.SiloAddress);
                        dead.Add(node);
                        fresh |= !told.Contains(node);
                    }
                }

                if (!fresh && clock.GetElapsedTime(swept) < SweepInterval)
                {
                    continue;
                }

                swept = clock.GetTimestamp();
                if (await TellShardsAsync([.. dead]))
                {
                    told.UnionWith(dead);
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // The silo stops.
        }
    }

    /// <summary>Tells every shard <paramref name="dead"/>; false when one could not be told (it is told again at the next poll).</summary>
    private async Task<bool> TellShardsAsync(string[] dead)
    {
        var calls = new Task[SessionDirectory.Shards];
        for (var shard = 0; shard < calls.Length; shard++)
        {
            calls[shard] = grains.GetGrain<ISessionDirectoryGrain>(shard).ForgetNodes(dead).WaitAsync(CallTimeout);
        }

        try
        {
            await Task.WhenAll(calls);
            return true;
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !_stopping.IsCancellationRequested)
        {
            LogTellFailed(logger, ex, calls.Count(static c => !c.IsCompletedSuccessfully), dead.Length);
            return false;
        }
    }

    [LoggerMessage(EventId = 2208, Level = LogLevel.Warning, Message = "Session directory keeper: {Failed} shards could not be told the {Dead} dead nodes; tried again in a second")]
    private static partial void LogTellFailed(ILogger logger, Exception ex, int failed, int dead);
}
