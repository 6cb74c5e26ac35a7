using RobustMq.Abstractions.Options;
using RobustMq.Abstractions.Sessions;
using RobustMq.Gateway.Metrics;
using RobustMq.Gateway.Security;
using RobustMq.Protocol;
using RobustMq.Protocol.Packets;
using RobustMq.Protocol.ReasonCodes;
using RobustMq.Protocol.Topics;

namespace RobustMq.Gateway.Channel;

/// <summary>
/// SUBSCRIBE and UNSUBSCRIBE without their session: which filters are granted and at what QoS, the SUBACK and UNSUBACK
/// reason codes, whether retained messages follow a SUBACK, and which UNSUBSCRIBE leaves a shared subscription. Pure:
/// no grains, no socket, no clock (the ACL is a rule set in memory). What the decoder already enforces (an empty filter,
/// 0x81; Subscription Identifier 0 or twice, 0x82; options bits that are reserved) never reaches here.
/// </summary>
public static class SubscribeDecisions
{
    /// <summary>The 3.1.x SUBACK failure return code (3.9.3); MQTT 5 gives a reason code instead.</summary>
    private const byte Failure = 0x80;

    /// <summary>
    /// Checks each filter of <paramref name="subscribe"/> in order. A filter is refused with 0x8F Topic Filter invalid
    /// (an invalid filter, or a malformed <c>$share/{group}/{filter}</c>: MQTT-4.8.2-1/2) or with the ACL's reason code
    /// (0x87 Not authorized), each 0x80 on 3.1.x. A granted one gets min(requested QoS, <c>Mqtt:MaximumQoS</c>)
    /// (MQTT-3.9.3-2 allows a lower QoS than requested), the SUBSCRIBE's Subscription Identifier (0: none), and a read
    /// check when the ACL could refuse it some topic of the filter (<see cref="AclRuleSet.NeedsReadCheck"/>).
    /// Throws <see cref="MqttProtocolException"/> 0x82 Protocol Error for No Local on a shared subscription
    /// (MQTT-3.8.3-4); the whole SUBSCRIBE is then unanswered and the connection closes.
    /// </summary>
    /// <param name="subscribe">The SUBSCRIBE, at least one filter (the decoder checks that).</param>
    /// <param name="version">The connection's protocol version (decides the failure codes).</param>
    /// <param name="options">The server's Maximum QoS.</param>
    /// <param name="acl">The rules subscribe and read checks go by.</param>
    /// <param name="clientId">The subscribing client.</param>
    /// <param name="userName">The CONNECT's User Name; null when it had none.</param>
    /// <param name="held">The subscriptions the client holds now, for <c>Mqtt:MaxSubscriptions</c> (null: none).</param>
    /// <param name="context">The client's address for the rules' conditions; each filter is checked with its granted QoS.</param>
    /// <remarks>
    /// Limits (counted in <see cref="SubscribeDecision.LimitsHit"/>): a filter over <c>Mqtt:MaxTopicLength</c> or
    /// <c>Mqtt:MaxTopicLevels</c> is refused with 0x8F; a new filter that would take the client past
    /// <c>Mqtt:MaxSubscriptions</c> with 0x97 Quota exceeded (each 0x80 on 3.1.x).
    /// </remarks>
    public static SubscribeDecision Decide(
        SubscribePacket subscribe, MqttProtocolVersion version, MqttOptions options, AclRuleSet acl, string clientId, string? userName,
        IReadOnlyList<SubscriptionRecord>? held = null, AclContext context = default)
    {
        var v5 = version == MqttProtocolVersion.V500;
        var subscriptionId = SubscriptionIdentifier(subscribe);
        var requests = subscribe.Subscriptions;
        var codes = new byte[requests.Count];
        var accepted = 0;
        var aclDenied = 0;
        var aclAllowed = 0;
        List<string>? limitsHit = null;
        for (var i = 0; i < codes.Length; i++)
        {
            // A shared subscription's limits are its topic filter's, without the $share/{group}/ before it.
            var topicFilter = SharedSubscription.TryParse(requests[i].Filter, out var shared) ? shared.Filter : requests[i].Filter;
            if (OverloadLimits.TopicOver(topicFilter, options.MaxTopicLength, options.MaxTopicLevels) is { } over)
            {
                codes[i] = v5 ? (byte)ReasonCode.TopicFilterInvalid : Failure;
                (limitsHit ??= []).Add(over);
                continue;
            }

            codes[i] = Admit(requests[i], v5, options, acl, clientId, userName, context, out var denied);
            if (codes[i] <= 2)
            {
                accepted++;
                aclAllowed++;
            }
            else if (denied)
            {
                aclDenied++;
            }
        }

        if (options.MaxSubscriptions > 0 && accepted > 0 && (held?.Count ?? 0) + accepted > options.MaxSubscriptions)
        {
            accepted -= RefusePastQuota(requests, codes, v5, options.MaxSubscriptions, held ?? [], ref limitsHit);
        }

        var indexes = new int[accepted];
        var records = new SubscriptionRecord[accepted];
        var next = 0;
        for (var i = 0; i < codes.Length; i++)
        {
            if (codes[i] > 2)
            {
                continue;
            }

            var request = requests[i];
            var checkRead = NeedsReadCheck(request.Filter, acl, clientId, userName, context.ForSubscription(codes[i]));
            indexes[next] = i;
            records[next++] = new SubscriptionRecord(
                request.Filter, codes[i], request.NoLocal, request.RetainAsPublished, (byte)request.RetainHandling, subscriptionId,
                checkRead, checkRead ? userName : null);
        }

        return new SubscribeDecision(codes, indexes, records, limitsHit) { AclAllowed = aclAllowed, AclDenied = aclDenied };
    }

    /// <summary>
    /// Refuses, in order, the granted filters that are new to the client once it holds <paramref name="max"/>
    /// subscriptions (a filter held already, or granted twice in this SUBSCRIBE, takes no new place); returns how many.
    /// </summary>
    private static int RefusePastQuota(IReadOnlyList<TopicSubscription> requests, byte[] codes, bool v5, int max, IReadOnlyList<SubscriptionRecord> held, ref List<string>? limitsHit)
    {
        var filters = new HashSet<string>(StringComparer.Ordinal);
        foreach (var subscription in held)
        {
            filters.Add(subscription.Filter);
        }

        var refused = 0;
        for (var i = 0; i < codes.Length; i++)
        {
            if (codes[i] > 2 || filters.Contains(requests[i].Filter))
            {
                continue;
            }

            if (filters.Count >= max)
            {
                codes[i] = v5 ? (byte)ReasonCode.QuotaExceeded : Failure;
                (limitsHit ??= []).Add(OverloadLimits.Subscriptions);
                refused++;
                continue;
            }

            filters.Add(requests[i].Filter);
        }

        return refused;
    }

    /// <summary>
    /// Whether retained messages follow the SUBACK for a granted subscription (MQTT 5, 3.8.3.1 Retain Handling): 0
    /// always, 1 only when <paramref name="existed"/> is false (the subscription is new), 2 never; and never for a
    /// shared subscription (MQTT 5, 4.8.2).
    /// </summary>
    /// <param name="granted">One of <see cref="SubscribeDecision.Accepted"/>.</param>
    /// <param name="existed">The session had a subscription to this filter before.</param>
    public static bool SendsRetained(SubscriptionRecord granted, bool existed)
    {
        var send = (RetainHandling)granted.RetainHandling switch
        {
            RetainHandling.SendAtSubscribe => true,
            RetainHandling.SendAtSubscribeIfNew => !existed,
            _ => false,
        };

        return send && !SharedSubscription.IsShared(granted.Filter);
    }

    /// <summary>
    /// The UNSUBACK reason codes, one per filter (MQTT-3.11.3-1): 0x00 Success when the session had the subscription,
    /// 0x11 No subscription existed when it had not (3.1.x sends none, whatever they say).
    /// </summary>
    /// <param name="existed">Per filter, in the UNSUBSCRIBE's order: whether the session had it.</param>
    public static byte[] UnsubAckCodes(bool[] existed)
    {
        var codes = new byte[existed.Length];
        for (var i = 0; i < codes.Length; i++)
        {
            codes[i] = existed[i] ? (byte)ReasonCode.Success : (byte)ReasonCode.NoSubscriptionExisted;
        }

        return codes;
    }

    /// <summary>The UNSUBACK reason codes when the session could not be reached: 0x80 Unspecified error for each of <paramref name="count"/> filters.</summary>
    public static byte[] UnsubAckFailed(int count)
    {
        var codes = new byte[count];
        Array.Fill(codes, (byte)ReasonCode.UnspecifiedError);
        return codes;
    }

    /// <summary>
    /// True when an unsubscribed filter left a shared subscription (its UNSUBACK code is Success and the filter is a
    /// well-formed <c>$share/{group}/{filter}</c>): what was queued for it and not sent goes to another member of
    /// <paramref name="left"/>'s group (MQTT 5, 4.8.2); what is in flight completes with this client (MQTT-3.10.4-3).
    /// </summary>
    public static bool LeftSharedSubscription(string filter, byte unsubAckCode, out SharedSubscription left)
    {
        left = default;
        return unsubAckCode == (byte)ReasonCode.Success && SharedSubscription.TryParse(filter, out left);
    }

    /// <summary>
    /// The SUBSCRIBE's Subscription Identifier, 0 when it has none. The decoder already refused 0 and a second one
    /// (MQTT 5, 3.8.2.1.2: at most one, 1 to 268,435,455).
    /// </summary>
    public static uint SubscriptionIdentifier(SubscribePacket subscribe) =>
        subscribe.Properties?.SubscriptionIdentifiers is { Count: > 0 } ids ? ids[0] : 0u;

    /// <summary>One filter: the granted QoS, or a failure reason code.</summary>
    private static byte Admit(TopicSubscription request, bool v5, MqttOptions options, AclRuleSet acl, string clientId, string? userName, AclContext context, out bool aclDenied)
    {
        aclDenied = false;
        var filter = request.Filter;
        var failure = v5 ? (byte)ReasonCode.TopicFilterInvalid : Failure;
        if (SharedSubscription.IsShared(filter))
        {
            if (!SharedSubscription.TryParse(filter, out var shared))
            {
                return failure;
            }

            if (request.NoLocal)
            {
                // MQTT-3.8.3-4: No Local on a shared subscription is a protocol error.
                throw new MqttProtocolException(ReasonCode.ProtocolError, "no local on a shared subscription");
            }

            filter = shared.Filter;
        }
        else if (!TopicValidator.IsValidTopicFilter(filter))
        {
            return failure;
        }

        var granted = (byte)Math.Min((int)request.QoS, options.MaximumQoS);
        context = context.ForSubscription(granted);
        var decision = acl.Check(AclAction.Subscribe, filter, clientId, userName, context);
        if (!decision.Allowed)
        {
            aclDenied = true;
            return v5 ? decision.ReasonCode : Failure;
        }

        if (acl.PublishersCannotCheck(filter, clientId, userName, context))
        {
            aclDenied = true;
            // A rule only this node can apply (the client's own from Acl:Sources, or one with a condition) could
            // refuse some topic of the filter: the publishing nodes could not check its messages per topic, so the
            // filter is refused as a whole.
            return v5 ? (byte)ReasonCode.NotAuthorized : Failure;
        }

        return granted;
    }

    /// <summary>
    /// Decided once per subscription: whether the ACL could refuse some topic of this allowed filter to this client
    /// (<c>deny subscribe secret/#</c> and <c>#</c>), so that each of its messages is checked before delivery.
    /// </summary>
    private static bool NeedsReadCheck(string filter, AclRuleSet acl, string clientId, string? userName, AclContext context)
    {
        var inner = SharedSubscription.TryParse(filter, out var shared) ? shared.Filter : filter;
        return acl.NeedsReadCheck(inner, clientId, userName, context);
    }

    /// <summary>
    /// Whether a subscription a session kept from an earlier connection needs the read check for this connection's
    /// reader (another user name, a superuser no more, rules changed since): as at SUBSCRIBE, and also when the rules
    /// now refuse the filter itself, so that none of its messages reach a reader who could not subscribe to it now.
    /// </summary>
    public static bool ResumedNeedsReadCheck(string filter, AclRuleSet acl, string clientId, string? userName, AclContext context = default)
    {
        ArgumentNullException.ThrowIfNull(filter);
        ArgumentNullException.ThrowIfNull(acl);
        var inner = SharedSubscription.TryParse(filter, out var shared) ? shared.Filter : filter;
        return !acl.Check(AclAction.Subscribe, inner, clientId, userName, context).Allowed || acl.NeedsReadCheck(inner, clientId, userName, context);
    }

    /// <summary>
    /// Whether this connection's reader may keep a subscription (a session kept it, or the rules changed since it was
    /// granted): the rules allow its filter (inner filter for <c>$share</c>) now, and the publishing nodes can check
    /// its messages (<see cref="AclRuleSet.PublishersCannotCheck"/>). One it may not keep is dropped: a per-message
    /// check on the publishing nodes would go by the file's rules alone, not the reader's own.
    /// </summary>
    public static bool MayKeep(SubscriptionRecord subscription, AclRuleSet acl, string clientId, string? userName, AclContext context)
    {
        ArgumentNullException.ThrowIfNull(subscription);
        ArgumentNullException.ThrowIfNull(acl);
        var inner = SharedSubscription.TryParse(subscription.Filter, out var shared) ? shared.Filter : subscription.Filter;
        context = context.ForSubscription(subscription.QoS);
        return acl.Check(AclAction.Subscribe, inner, clientId, userName, context).Allowed
            && !acl.PublishersCannotCheck(inner, clientId, userName, context);
    }
}
