using RobustMq.Abstractions.Metrics;
using RobustMq.Abstractions.Sessions;

namespace RobustMq.Gateway.Routing;

/// <summary>Handing a shared subscription's messages on when the member they went to is gone (MQTT 5 section 4.8.2).</summary>
public sealed partial class MessageRouter
{
    public async ValueTask<int> HandOnOwedAsync(string fromClientId, PendingMessage[] owed, CancellationToken cancellationToken = default)
    {
        var handedOn = 0;
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

            if (await RedispatchOneAsync(fromClientId, pending, cancellationToken))
            {
                handedOn++;
            }
            else
            {
                metrics.Dropped(DropReasons.NoSubscribers);
            }
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
            List<Abstractions.Routing.RouteEntry>? members = null;
            foreach (var entry in scratch.Matches)
            {
                // Another member of the same group: a fresh delivery to it, at its own granted QoS.
                if (entry.ShareGroup == pending.ShareGroup && entry.Filter == pending.ShareFilter && entry.ClientId != fromClientId)
                {
                    if (entry.CheckRead && !acl.MayReceive(message.Topic, entry.ClientId, entry.UserName))
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

            Dispatch(message, _selector.Pick(members, message, delivery, node.Name), scratch);
            await DeliverPlannedAsync(scratch, cancellationToken);
            return true;
        }
        finally
        {
            scratch.Clear();
            t_scratch = scratch;
        }
    }
}
