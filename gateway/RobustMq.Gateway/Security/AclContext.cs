using System.Net;

namespace RobustMq.Gateway.Security;

/// <summary>
/// What an ACL check knows of a request beyond the client, topic and action, for the conditions a rule may carry
/// (<see cref="AclRule.Peer"/>, <see cref="AclRule.QoS"/>, <see cref="AclRule.Retain"/>). A value that is null is not
/// known (the default: a publishing node checking a subscriber it does not host knows none), and a rule with a
/// condition on it does not apply.
/// </summary>
/// <param name="Peer">The client's address (IPv4-mapped IPv6 addresses as IPv4), or null.</param>
/// <param name="QoS">A PUBLISH's QoS, or the QoS a SUBSCRIBE asks for or a subscription was granted (0-2), or null.</param>
/// <param name="Retain">A PUBLISH's RETAIN flag, or null (never known for a subscription).</param>
public readonly record struct AclContext(IPAddress? Peer, int? QoS = null, bool? Retain = null)
{
    /// <summary>A client's address for rule conditions: <paramref name="address"/> with an IPv4-mapped IPv6 address as IPv4.</summary>
    public static IPAddress? Normalize(IPAddress? address) =>
        address is { IsIPv4MappedToIPv6: true } ? address.MapToIPv4() : address;

    /// <summary>This context with <paramref name="qos"/> and no RETAIN flag (a subscription's).</summary>
    public AclContext ForSubscription(int qos) => new(Peer, qos, null);
}
