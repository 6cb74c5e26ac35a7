using Microsoft.Extensions.Logging;
using RobustMq.Abstractions.Metrics;
using RobustMq.Abstractions.Routing;
using RobustMq.Abstractions.Sessions;

namespace RobustMq.Gateway.Routing;

/// <summary>Handing a shared subscription's messages on when the member they went to is gone (MQTT 5 section 4.8.2).</summary>
public sealed partial class MessageRouter
{
    public async ValueTask<int> HandOnOwedAsync(string fromClientId, PendingMessage[] owed, CancellationToken cancellationToken = default)
    {
        var handedOn = 0;
        var failed = 0;
        Exception? firstFailure = null;
        foreach (var pending in owed)
        {
            if (!pending.IsShared)
            {
                // MQTT 4.1: what a session owed ends with it.
                metrics.Dropped(DropReasons.SessionEnded);
                continue;
            }

            // MQTT-3.3.2-5: an expired message is not delivered (a message in flight was delivered to the member
            // that is gone, not to the one it goes to now).
            if (pending.Message.IsExpired(clock.GetUtcNow().ToUnixTimeMilliseconds()))
            {
                metrics.Dropped(DropReasons.Expired);
                continue;
            }

            if (pending.HandOns >= IMessageRouter.MaxHandOns)
            {
                // Each hand-on is a grain call awaited inside the last one: members whose sessions are gone while their
                // routes linger (a route removal that timed out, a node stopping) would pass it on without end.
                metrics.Dropped(DropReasons.HandOnLimit);
                continue;
            }

            bool delivered;
            try
            {
                delivered = await RedispatchOneAsync(fromClientId, pending, cancellationToken);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                // Per message: a member's session or node that did not answer loses this message, not the ones after it.
                firstFailure ??= ex;
                failed++;
                metrics.Dropped(DropReasons.NodeUnreachable);
                continue;
            }

            if (delivered)
            {
                handedOn++;
            }
            else
            {
                metrics.Dropped(DropReasons.NoSubscribers);
            }
        }

        if (firstFailure is not null)
        {
            LogHandOnFailed(logger, firstFailure, fromClientId, failed, owed.Length);
        }

        return handedOn;
    }

    private async ValueTask<bool> RedispatchOneAsync(string fromClientId, PendingMessage pending, CancellationToken cancellationToken)
    {
        var scratch = t_scratch ??= new RouteScratch();
        t_scratch = null; // as in PublishAsync: ours until the synchronous part ends.
        try
        {
            var message = pending.Message;
            routes.Match(message.Topic, scratch.Matches);
            scratch.Dead = deadNodes.Current;
            List<RouteEntry>? members = null;
            foreach (var entry in scratch.Matches)
            {
                // Another member of the same group, not one it was handed on from before: a fresh delivery to it, at
                // its own granted QoS.
                if (entry.ShareGroup == pending.ShareGroup && entry.Filter == pending.ShareFilter && entry.ClientId != fromClientId &&
                    !pending.WasHandedOnFrom(entry.ClientId))
                {
                    if (entry.CheckRead && !ReadAllowed(message.Topic, entry))
                    {
                        // As in Plan: a member whose ACL denies this topic is passed over.
                        continue;
                    }

                    scratch.AddShared(entry);
                    members ??= scratch.Groups[(entry.ShareGroup!, entry.Filter)];
                }
            }

            if (members is null)
            {
                return false;
            }

            // The selector prefers a member with a live connection (a local one without is passed over).
            string[] handedOnFrom = pending.HandedOnFrom is { } before ? [.. before, fromClientId] : [fromClientId];
            Dispatch(message, _selector.Pick(members, message, delivery, node.Name), scratch, handedOnFrom);
            await DeliverPlannedAsync(message, scratch, null, null, cancellationToken);
            return true;
        }
        finally
        {
            scratch.Clear();
            t_scratch = scratch;
        }
    }

    [LoggerMessage(EventId = 3002, Level = LogLevel.Warning,
        Message = "Handing on messages owed to the ended session of {ClientId} failed: {Failed} of {Count} dropped")]
    private static partial void LogHandOnFailed(ILogger logger, Exception ex, string clientId, int failed, int count);
}
