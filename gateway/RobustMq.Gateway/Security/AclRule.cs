using System.Buffers;
using System.Net;
using RobustMq.Protocol.Topics;

namespace RobustMq.Gateway.Security;

/// <summary>
/// One line of the ACL file: <c>allow|deny publish|subscribe|all &lt;filter&gt; [client=&lt;id&gt;|user=&lt;name&gt;|*]
/// [ipaddr=&lt;address or CIDR&gt;] [qos=0,1,2] [retain=true|false] [reason=0xNN]</c>, or a rule of a store
/// (<see cref="AclRules.Of"/>).
/// </summary>
/// <remarks>
/// Conditions (RobustMQ's and EMQX's rule shape): <see cref="Peer"/>, <see cref="QoS"/> and <see cref="Retain"/> make a
/// rule apply only to requests that meet them, and not at all where the value is not known (<see cref="AclContext"/>).
/// A rule with a condition, or one of a client's own rules from a store (<see cref="FromSource"/>), is
/// <see cref="Local"/>: only the client's own node can apply it, so its subscriptions are admitted with that in mind
/// (<see cref="AclRuleSet.PublishersCannotCheck"/>).
/// </remarks>
/// <param name="Allow">True for <c>allow</c>, false for <c>deny</c>.</param>
/// <param name="Action">The action the rule covers; null for <c>all</c> (publish and subscribe).</param>
/// <param name="Filter">Topic filter; <c>%c</c> and <c>%u</c> stand for the client id and the username.</param>
/// <param name="ClientId">Only this client id (<c>client=</c>), or null.</param>
/// <param name="UserName">Only this username (<c>user=</c>), or null. Neither set means everyone (<c>*</c>).</param>
/// <param name="ReasonCode">Reason code a deny gives (0x87 unless <c>reason=</c>); 0x00 for allow rules.</param>
/// <param name="Line">Line number in the source, for diagnostics.</param>
public sealed record AclRule(
    bool Allow,
    AclAction? Action,
    string Filter,
    string? ClientId,
    string? UserName,
    byte ReasonCode,
    int Line)
{
    private const int StackBufferLength = 256;

    /// <summary>Only clients from this address or network (<c>ipaddr=</c>, EMQX's <c>ipaddr</c>/<c>ipaddrs</c>), or null.</summary>
    public IPNetwork? Peer { get; init; }

    /// <summary>
    /// Only these QoS levels (<c>qos=0,1</c>), as bits 1 &lt;&lt; QoS; null for any. A PUBLISH's QoS, or the QoS a
    /// SUBSCRIBE asks for.
    /// </summary>
    public int? QoS { get; init; }

    /// <summary>Only PUBLISH packets with this RETAIN flag (<c>retain=true|false</c>); a rule with it never applies to subscribing.</summary>
    public bool? Retain { get; init; }

    /// <summary>
    /// Whether the filter is compared as text, not as a filter (EMQX's <c>eq</c>: <c>deny subscribe eq t/#</c> refuses
    /// the subscription <c>t/#</c> itself, not <c>t/a</c>, and no topic a wider subscription brings).
    /// </summary>
    public bool Exact { get; init; }

    /// <summary>Whether the rule is one of a client's own from a store (<c>Acl:Sources</c>), not the file's.</summary>
    public bool FromSource { get; init; }

    /// <summary>Whether only the client's own node can apply the rule: it has a condition, or it is a store's rule for the client.</summary>
    public bool Local => FromSource || Peer is not null || QoS is not null || Retain is not null;

    /// <summary>
    /// True when the rule covers this request. Publish: the rule filter matches the topic name. Subscribe: the
    /// requested filter is a subset of the rule filter (every topic it can match, the rule matches too), as EMQX
    /// and Mosquitto read subscribe rules: <c>deny subscribe a/b</c> refuses <c>a/b</c>, not <c>+/+</c> or
    /// <c>#</c>; the topics such a wider filter would bring are refused per message instead
    /// (<see cref="AclRuleSet.NeedsReadCheck"/>).
    /// A <c>%c</c>/<c>%u</c> rule whose value is missing, empty or contains '+', '#', '/' or U+0000 (a client
    /// id "+" must not widen <c>devices/%c/#</c>) is skipped when it allows and applies when it denies.
    /// </summary>
    internal bool Covers(AclAction action, string topicOrFilter, string clientId, string? userName, in AclContext context)
    {
        return AppliesTo(action, clientId, userName, context)
            && Test(action == AclAction.Publish ? Relation.Matches : Relation.Subset, topicOrFilter, clientId, userName);
    }

    /// <summary>
    /// True when this is a deny rule for subscribing that could refuse some topic the subscription
    /// <paramref name="filter"/> matches: its filter overlaps <paramref name="filter"/> (some topic name matches
    /// both), so <c>deny subscribe secret/#</c> can refuse messages of <c>#</c> and <c>+/x</c>.
    /// </summary>
    internal bool CouldDenyWithin(string filter, string clientId, string? userName, in AclContext context)
    {
        return !Allow && Overlaps(filter, clientId, userName, context);
    }

    /// <summary>True when the rule applies to subscribing by this client and its filter overlaps <paramref name="filter"/>.</summary>
    internal bool Overlaps(string filter, string clientId, string? userName, in AclContext context)
    {
        return AppliesTo(AclAction.Subscribe, clientId, userName, context)
            && Test(Relation.Overlaps, filter, clientId, userName);
    }

    /// <summary>
    /// True when this is a deny rule for subscribing that may apply to this client, whatever its filter: its conditions
    /// are not looked at (a deny that might apply counts).
    /// </summary>
    internal bool DeniesSubscribeTo(string clientId, string? userName) => !Allow && AppliesTo(AclAction.Subscribe, clientId, userName);

    private bool AppliesTo(AclAction action, string clientId, string? userName, in AclContext context)
    {
        if (Peer is { } network && (context.Peer is not { } peer || !network.Contains(peer)))
        {
            return false;
        }

        if (QoS is { } levels && (context.QoS is not { } qos || (levels & (1 << qos)) == 0))
        {
            return false;
        }

        if (Retain is { } retain && context.Retain != retain)
        {
            return false;
        }

        return AppliesTo(action, clientId, userName);
    }

    private bool AppliesTo(AclAction action, string clientId, string? userName)
    {
        if (Action is { } only && only != action)
        {
            return false;
        }

        if (ClientId is not null && !string.Equals(ClientId, clientId, StringComparison.Ordinal))
        {
            return false;
        }

        return UserName is null || string.Equals(UserName, userName, StringComparison.Ordinal);
    }

    private bool Test(Relation relation, string topicOrFilter, string clientId, string? userName)
    {
        if (Exact)
        {
            if (relation == Relation.Overlaps)
            {
                return false;
            }

            relation = Relation.Equal;
        }

        return Filter.Contains('%')
            ? TestWithPattern(relation, topicOrFilter, clientId, userName)
            : Test(relation, Filter, topicOrFilter);
    }

    private bool TestWithPattern(Relation relation, string topicOrFilter, string clientId, string? userName)
    {
        var length = SubstitutedLength(Filter, clientId, userName);
        if (length < 0)
        {
            return !Allow; // unsafe or missing value: fail closed
        }

        char[]? rented = null;
        Span<char> buffer = length <= StackBufferLength
            ? stackalloc char[StackBufferLength]
            : (rented = ArrayPool<char>.Shared.Rent(length));
        try
        {
            var filter = buffer[..length];
            Substitute(Filter, clientId, userName!, filter);
            return Test(relation, filter, topicOrFilter);
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<char>.Shared.Return(rented);
            }
        }
    }

    private static bool Test(Relation relation, ReadOnlySpan<char> ruleFilter, ReadOnlySpan<char> topicOrFilter) => relation switch
    {
        Relation.Matches => TopicMatcher.Matches(ruleFilter, topicOrFilter),
        Relation.Subset => TopicMatcher.IsSubsetOf(topicOrFilter, ruleFilter),
        Relation.Equal => ruleFilter.SequenceEqual(topicOrFilter),
        _ => TopicMatcher.Overlaps(ruleFilter, topicOrFilter),
    };

    /// <summary>Length of the filter after substitution, or -1 when a needed value is missing or unsafe.</summary>
    private static int SubstitutedLength(string filter, string clientId, string? userName)
    {
        var length = 0;
        for (var i = 0; i < filter.Length; i++)
        {
            var value = PlaceholderAt(filter, i, clientId, userName, out var isPlaceholder);
            if (!isPlaceholder)
            {
                length++;
                continue;
            }

            if (!IsSafeValue(value))
            {
                return -1;
            }

            length += value!.Length;
            i++;
        }

        return length;
    }

    private static void Substitute(string filter, string clientId, string userName, Span<char> destination)
    {
        var written = 0;
        for (var i = 0; i < filter.Length; i++)
        {
            var value = PlaceholderAt(filter, i, clientId, userName, out var isPlaceholder);
            if (!isPlaceholder)
            {
                destination[written++] = filter[i];
                continue;
            }

            value.AsSpan().CopyTo(destination[written..]);
            written += value!.Length;
            i++;
        }
    }

    private static string? PlaceholderAt(string filter, int i, string clientId, string? userName, out bool isPlaceholder)
    {
        isPlaceholder = filter[i] == '%' && i + 1 < filter.Length && filter[i + 1] is 'c' or 'u';
        if (!isPlaceholder)
        {
            return null;
        }

        return filter[i + 1] == 'c' ? clientId : userName;
    }

    private static bool IsSafeValue(string? value)
    {
        return !string.IsNullOrEmpty(value) && !value.AsSpan().ContainsAny("+#/\0");
    }

    /// <summary>How the rule filter must relate to the request's topic or filter.</summary>
    private enum Relation
    {
        /// <summary>The rule filter matches the topic name.</summary>
        Matches,

        /// <summary>The requested filter is a subset of the rule filter.</summary>
        Subset,

        /// <summary>Some topic name matches both.</summary>
        Overlaps,

        /// <summary>The same text (an <see cref="Exact"/> rule).</summary>
        Equal,
    }
}
