using System.Net;

namespace RobustMq.Gateway.Security;

/// <summary>
/// Reads the conditions a rule may carry (<see cref="AclRule.Peer"/>, <see cref="AclRule.QoS"/>,
/// <see cref="AclRule.Retain"/>) from text, for the rules file and the stores alike. Each returns null with
/// <c>problem</c> set when the text is not such a value.
/// </summary>
public static class AclConditions
{
    /// <summary>
    /// A rule's topic as written: <c>eq &lt;filter&gt;</c> compares as text (<see cref="AclRule.Exact"/>), and EMQX's
    /// placeholders <c>${clientid}</c> and <c>${username}</c> read as <c>%c</c> and <c>%u</c>. Null with
    /// <c>problem</c> set when what is left is not a topic filter (or is a shared one).
    /// </summary>
    public static string? Topic(string? text, out bool exact, out string? problem)
    {
        problem = null;
        exact = false;
        var topic = text?.Trim() ?? "";
        if (topic.StartsWith("eq ", StringComparison.OrdinalIgnoreCase))
        {
            exact = true;
            topic = topic[3..].TrimStart();
        }

        topic = topic.Replace("${clientid}", "%c", StringComparison.Ordinal).Replace("${username}", "%u", StringComparison.Ordinal);
        if (RobustMq.Protocol.Topics.SharedSubscription.IsShared(topic))
        {
            problem = $"rule filter '{topic}' is shared: name the inner filter, '$share/<group>/' is stripped before checking";
            return null;
        }

        if (topic.Length == 0 || !RobustMq.Protocol.Topics.TopicValidator.IsValidTopicFilter(topic))
        {
            problem = $"'{text}' is not a topic filter";
            return null;
        }

        return topic;
    }

    /// <summary>An address (<c>10.0.0.7</c>, <c>::1</c>: that address alone) or a network in CIDR form (<c>10.0.0.0/8</c>).</summary>
    public static IPNetwork? Peer(string text, out string? problem)
    {
        problem = null;
        text = text.Trim();
        if (!text.Contains('/', StringComparison.Ordinal) && IPAddress.TryParse(text, out var address))
        {
            address = AclContext.Normalize(address)!;
            return new IPNetwork(address, address.GetAddressBytes().Length * 8);
        }

        var slash = text.IndexOf('/', StringComparison.Ordinal);
        if (IPNetwork.TryParse(text, out var network) && slash > 0
            && IPAddress.TryParse(text.AsSpan(0, slash), out var written) && written.Equals(network.BaseAddress))
        {
            // A base address with bits set past the prefix (10.1.0.0/8) is most likely a typo: refused, not masked.
            // An IPv4-mapped network (::ffff:10.0.0.0/104) is the IPv4 one: client addresses are compared as IPv4.
            return network.BaseAddress.IsIPv4MappedToIPv6 && network.PrefixLength >= 96
                ? new IPNetwork(network.BaseAddress.MapToIPv4(), network.PrefixLength - 96)
                : network;
        }

        problem = $"'{text}' is not an address or a CIDR network with no bits set past its prefix (10.0.0.0/8)";
        return null;
    }

    /// <summary>QoS levels as bits 1 &lt;&lt; QoS: <c>0,1</c>, <c>2</c> (comma separated, each 0-2, at least one).</summary>
    public static int? QoS(string text, out string? problem)
    {
        problem = null;
        var levels = 0;
        foreach (var part in text.Split(',', StringSplitOptions.TrimEntries))
        {
            if (part is not ("0" or "1" or "2"))
            {
                problem = $"'{text}' is not a list of QoS levels (0, 1, 2, comma separated)";
                return null;
            }

            levels |= 1 << (part[0] - '0');
        }

        return levels;
    }

    /// <summary><c>true</c> or <c>false</c> (any case; also <c>1</c>/<c>0</c>).</summary>
    public static bool? Retain(string text, out string? problem)
    {
        problem = null;
        switch (text.Trim().ToLowerInvariant())
        {
            case "true" or "1":
                return true;
            case "false" or "0":
                return false;
            default:
                problem = $"'{text}' is not true or false";
                return null;
        }
    }
}
