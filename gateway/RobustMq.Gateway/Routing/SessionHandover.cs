using Microsoft.Extensions.Logging;
using RobustMq.Abstractions.Messages;
using RobustMq.Abstractions.Nodes;
using RobustMq.Abstractions.Sessions;

namespace RobustMq.Gateway.Routing;

/// <summary>
/// Hands deliveries whose client is not connected where they were routed to the clients' session grains, one
/// <see cref="ISessionGrain.Enqueue"/> per session with its messages in the order given: a persistent session queues
/// (and stores) them for its client's return, a clean one that ended drops them, or hands a shared subscription's on.
/// </summary>
public sealed partial class SessionHandover(IGrainFactory grains, TimeProvider clock, ILogger<SessionHandover> logger)
{
    /// <summary>How long a handover keeps trying sessions Orleans could not address, before it is refused.</summary>
    public static readonly TimeSpan RetryLimit = TimeSpan.FromSeconds(5);

    private static readonly TimeSpan RetryDelay = TimeSpan.FromMilliseconds(100);

    /// <summary>
    /// Groups <paramref name="deliveries"/> by session (keeping their order) and hands each session its messages; returns
    /// each session's outcome, in the order the sessions first appear. With <paramref name="mayHaveArrived"/>, they are
    /// what a call to a node carried when the node died with the call in flight (<see cref="ISessionGrain.EnqueueAgain"/>).
    /// </summary>
    public async Task<(string ClientId, StoreOutcome Outcome)[]> HandOverAsync(
        IEnumerable<NodeDelivery> deliveries, CancellationToken cancellationToken, bool mayHaveArrived = false)
    {
        var bySession = new Dictionary<string, List<PendingMessage>>(StringComparer.Ordinal);
        foreach (var item in deliveries)
        {
            if (!bySession.TryGetValue(item.ClientId, out var list))
            {
                bySession[item.ClientId] = list = [];
            }

            list.Add(item.Message);
        }

        var calls = new Task<StoreOutcome>[bySession.Count];
        var i = 0;
        foreach (var (clientId, messages) in bySession)
        {
            calls[i++] = EnqueueAsync(clientId, [.. messages], mayHaveArrived, cancellationToken);
        }

        await Task.WhenAll(calls);
        i = 0;
        var outcomes = new (string, StoreOutcome)[calls.Length];
        foreach (var clientId in bySession.Keys)
        {
            outcomes[i] = (clientId, calls[i].Result);
            i++;
        }

        return outcomes;
    }

    /// <summary>
    /// <see cref="HandOverAsync"/>, for a publish: throws when a session could not queue its copy.
    /// </summary>
    /// <exception cref="MessageNotStoredException">A session could not queue its copy: the publisher is not acknowledged.</exception>
    public async Task HandOverOrRefuseAsync(string topic, IEnumerable<NodeDelivery> deliveries, CancellationToken cancellationToken)
    {
        foreach (var (_, outcome) in await HandOverAsync(deliveries, cancellationToken))
        {
            if (outcome != StoreOutcome.Stored)
            {
                // An offline session's queue could not store it: the publisher is not acknowledged (issue 10).
                throw new MessageNotStoredException(topic, outcome);
            }
        }
    }

    /// <summary>
    /// One session's messages. A call Orleans could not address (the grain's directory entry or activation was on a
    /// silo that just died: refused before it ran) is made again, and so is one whose silo died with it in flight
    /// (<see cref="SiloUnavailableException"/>: the session's, or that of the directory partition it was looked up in),
    /// then as <see cref="ISessionGrain.EnqueueAgain"/>, which leaves out what the session has already. For up to
    /// <see cref="RetryLimit"/> from the first failure: a silo's death costs a short wait rather than a refusal, whose resend would reach the
    /// subscribers already served a second time. Any other failure, or one that lasts, is
    /// <see cref="StoreOutcome.Unavailable"/> (a timeout may still be running: it is not made again).
    /// </summary>
    private async Task<StoreOutcome> EnqueueAsync(string clientId, PendingMessage[] messages, bool again, CancellationToken cancellationToken)
    {
        long? failedAt = null;
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                var session = grains.GetGrain<ISessionGrain>(clientId);
                return await (again ? session.EnqueueAgain(messages) : session.Enqueue(messages)).WaitAsync(cancellationToken);
            }
            catch (MessageNotStoredException ex)
            {
                return ex.Outcome;
            }
            catch (Exception ex) when (ex is not OperationCanceledException && (NodeCalls.NeverRan(ex) || ex is SiloUnavailableException)
                && clock.GetElapsedTime(failedAt ??= clock.GetTimestamp()) < RetryLimit)
            {
                again |= !NodeCalls.NeverRan(ex);
                if (attempt == 0)
                {
                    LogEnqueueRetried(logger, ex, clientId);
                }

                await Task.Delay(RetryDelay, clock, cancellationToken);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                LogEnqueueFailed(logger, ex, clientId, messages.Length);
                return StoreOutcome.Unavailable;
            }
        }
    }

    [LoggerMessage(EventId = 3004, Level = LogLevel.Information, Message = "The session of {ClientId} could not be reached yet (a silo died?); trying again")]
    private static partial void LogEnqueueRetried(ILogger logger, Exception ex, string clientId);

    [LoggerMessage(EventId = 3003, Level = LogLevel.Warning, Message = "Handing {Count} messages to the session of {ClientId} failed; their publishers are not acknowledged")]
    private static partial void LogEnqueueFailed(ILogger logger, Exception ex, string clientId, int count);
}
