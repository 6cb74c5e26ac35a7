using RobustMq.Abstractions.Sessions;
using RobustMq.Protocol.ReasonCodes;

namespace RobustMq.Gateway.Channel;

/// <summary>
/// What <see cref="SubscribeDecisions.Decide"/> made of a SUBSCRIBE before its session is touched: one SUBACK reason
/// code per filter, and the subscriptions the session is to store and route.
/// </summary>
public sealed class SubscribeDecision
{
    internal SubscribeDecision(byte[] reasonCodes, int[] acceptedIndexes, SubscriptionRecord[] accepted, IReadOnlyList<string>? limitsHit = null)
    {
        ReasonCodes = reasonCodes;
        AcceptedIndexes = acceptedIndexes;
        Accepted = accepted;
        LimitsHit = limitsHit ?? [];
    }

    /// <summary>Filters the ACL let through (<c>mqtt_acl_success_total{action="subscribe"}</c>), before any quota.</summary>
    public int AclAllowed { get; init; }

    /// <summary>Filters the ACL refused (<c>mqtt_acl_failed_total{action="subscribe"}</c>).</summary>
    public int AclDenied { get; init; }

    /// <summary>The limits that refused a filter (<see cref="Metrics.OverloadLimits"/>), once per filter refused, for counting.</summary>
    public IReadOnlyList<string> LimitsHit { get; }

    /// <summary>
    /// The SUBACK reason codes, one per filter in the SUBSCRIBE's order (MQTT-3.9.3-1): the granted QoS (0-2), or a
    /// failure (0x80 or above; always 0x80 Failure on 3.1.x).
    /// </summary>
    public byte[] ReasonCodes { get; }

    /// <summary>The subscriptions granted, in filter order, for the session to store and route.</summary>
    public SubscriptionRecord[] Accepted { get; }

    /// <summary>For each of <see cref="Accepted"/> (same length), the index of its filter in <see cref="ReasonCodes"/>.</summary>
    public int[] AcceptedIndexes { get; }

    /// <summary>
    /// The same SUBSCRIBE when its session could not store <see cref="Accepted"/>: each of their filters is answered
    /// 0x80 (Unspecified error on MQTT 5, Failure on 3.1.x), the refusals stay as they were, nothing is accepted.
    /// </summary>
    public SubscribeDecision SessionFailed()
    {
        var codes = (byte[])ReasonCodes.Clone();
        foreach (var index in AcceptedIndexes)
        {
            codes[index] = (byte)ReasonCode.UnspecifiedError;
        }

        return new SubscribeDecision(codes, [], []);
    }
}
