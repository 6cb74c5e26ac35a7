namespace RobustMq.Gateway.Security;

/// <summary>
/// The ACL rules file (<c>Acl:File</c>). One rule per line, evaluated in order, first match wins:
/// <code>
/// # comment
/// default deny                                   # optional: decision when no rule matches (allow otherwise)
/// allow publish   devices/%c/#                   # %c = client id, %u = username
/// allow subscribe alerts/+       user=ops
/// deny  all       secret/#       *  reason=0x80
/// </code>
/// Fields: <c>allow|deny</c>, <c>publish|subscribe|all</c>, a topic filter, then optionally who
/// (<c>client=&lt;id&gt;</c>, <c>user=&lt;name&gt;</c> or <c>*</c>, the default) and <c>reason=0xNN</c> (0x80-0xFF, deny
/// rules only; 0x87 Not authorized otherwise). Lines whose first non-blank character is '#' are comments.
/// </summary>
/// <remarks>
/// Subscribe checks take the inner filter of a shared subscription: the caller strips <c>$share/{group}/</c>
/// (<see cref="RobustMq.Protocol.Topics.SharedSubscription"/>) before calling <see cref="Check"/>.
/// Immutable and safe to share between connections.
/// </remarks>
public sealed class AclRuleSet
{
    private readonly AclRule[] _rules;

    internal AclRuleSet(AclRule[] rules, bool defaultAllow)
    {
        _rules = rules;
        DefaultAllow = defaultAllow;
    }

    /// <summary>No rules; everything is allowed.</summary>
    public static AclRuleSet AllowAll { get; } = new([], defaultAllow: true);

    /// <summary>The rules in evaluation order.</summary>
    public IReadOnlyList<AclRule> Rules => _rules;

    /// <summary>The decision when no rule matches: true unless the file says <c>default deny</c>.</summary>
    public bool DefaultAllow { get; }

    /// <summary>Parses rules text. Throws <see cref="FormatException"/> naming the source, line and problem.</summary>
    public static AclRuleSet Parse(string text, string sourceName)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(sourceName);
        return AclFileParser.Parse(text, sourceName);
    }

    /// <summary>Reads and parses the rules file at <paramref name="path"/>; <paramref name="noMatchAllow"/> decides when it has no <c>default</c> line.</summary>
    public static AclRuleSet Load(string path, bool noMatchAllow = true)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        return AclFileParser.Parse(File.ReadAllText(path), path, noMatchAllow);
    }

    /// <summary>No rules: <paramref name="allow"/> decides everything (<c>Acl:NoMatch</c> without a file).</summary>
    public static AclRuleSet Default(bool allow) => allow ? AllowAll : new([], defaultAllow: false);

    /// <summary>One client's rule set: <paramref name="first"/> (a store's rules for that client) tried before these, the same default.</summary>
    public AclRuleSet WithFirst(IReadOnlyList<AclRule> first)
    {
        ArgumentNullException.ThrowIfNull(first);
        return first.Count == 0 ? this : new AclRuleSet([.. first, .. _rules], DefaultAllow);
    }

    /// <summary>
    /// Whether the subscription <paramref name="filter"/>, allowed to this client, could deliver a topic that a publishing
    /// node would decide otherwise than the client's own rules: the per-topic check of its messages
    /// (<see cref="MayReceive"/>) runs on the publishing node, which holds the file's rules and knows none of the
    /// subscriber's conditions, so it passes over <see cref="AclRule.Local"/> rules. True when, before the rule that
    /// decides the filter, a local deny rule overlaps it, or a local allow rule overlaps it ahead of a deny rule that
    /// overlaps it too, or when the rule that decides the filter is local and a deny rule that overlaps it comes first
    /// (its messages would be checked per topic by nodes that pass over the deciding rule); such a subscription is
    /// refused as a whole. Otherwise both decide every topic alike.
    /// </summary>
    public bool PublishersCannotCheck(string filter, string clientId, string? userName, in AclContext context = default)
    {
        var localAllowSeen = false;
        var denySeen = false;
        foreach (var rule in _rules)
        {
            if (rule.Covers(AclAction.Subscribe, filter, clientId, userName, context))
            {
                // Its messages are checked per topic (a deny overlaps ahead of it) by nodes that pass over this rule.
                return rule.Local && denySeen;
            }

            if (!rule.Overlaps(filter, clientId, userName, context))
            {
                continue;
            }

            if (!rule.Allow && (rule.Local || localAllowSeen))
            {
                return true;
            }

            localAllowSeen |= rule.Allow && rule.Local;
            denySeen |= !rule.Allow;
        }

        return false;
    }

    /// <summary>
    /// Decides whether <paramref name="clientId"/> (with <paramref name="userName"/>, null when none) may publish to
    /// the topic name or subscribe to the filter <paramref name="topicOrFilter"/> (inner filter for
    /// <c>$share</c>). The first rule that covers the request decides (see <see cref="AclRule"/>); otherwise
    /// <see cref="DefaultAllow"/>.
    /// </summary>
    /// <param name="context">The request's address, QoS and RETAIN flag, for the rules' conditions; default: none known.</param>
    public AclDecision Check(AclAction action, string topicOrFilter, string clientId, string? userName, in AclContext context = default)
    {
        ArgumentNullException.ThrowIfNull(topicOrFilter);
        ArgumentNullException.ThrowIfNull(clientId);

        foreach (var rule in _rules)
        {
            if (rule.Covers(action, topicOrFilter, clientId, userName, context))
            {
                return rule.Allow ? AclDecision.Allow : AclDecision.Deny(rule.ReasonCode);
            }
        }

        return DefaultAllow ? AclDecision.Allow : AclDecision.Deny();
    }

    /// <summary>
    /// Decides once, at SUBSCRIBE, whether the allowed subscription <paramref name="filter"/> (inner filter for
    /// <c>$share</c>) of this client needs a check of each message it delivers: true when a deny rule for
    /// subscribing that precedes the rule deciding the filter could refuse some topic the filter matches
    /// (<c>deny subscribe secret/#</c> and <c>#</c> or <c>+/x</c>). When false, every topic the filter matches is
    /// allowed (the rule that allows the filter covers each of its topics, and no earlier deny rule reaches one),
    /// so its deliveries cost nothing.
    /// </summary>
    /// <remarks>The check per message is <c>Check(AclAction.Subscribe, topic, ...)</c>, Mosquitto's read check.</remarks>
    public bool NeedsReadCheck(string filter, string clientId, string? userName, in AclContext context = default)
    {
        ArgumentNullException.ThrowIfNull(filter);
        ArgumentNullException.ThrowIfNull(clientId);

        foreach (var rule in _rules)
        {
            if (rule.Covers(AclAction.Subscribe, filter, clientId, userName, context))
            {
                return false; // this rule decides the filter and, as it contains every topic of it, each topic too
            }

            if (rule.CouldDenyWithin(filter, clientId, userName, context))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// True when the rules could refuse this client some topic: a deny rule for subscribing applies to it, or the
    /// default is deny. When false, <see cref="MayReceive"/> is true for every topic.
    /// </summary>
    public bool MayRefuseReads(string clientId, string? userName)
    {
        ArgumentNullException.ThrowIfNull(clientId);
        if (!DefaultAllow)
        {
            return true;
        }

        foreach (var rule in _rules)
        {
            if (rule.DeniesSubscribeTo(clientId, userName))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// The read check of one delivered message (Mosquitto checks read access per message): may this client
    /// receive a message published to <paramref name="topic"/>, that is, may it subscribe to that topic name. On the
    /// client's own node <paramref name="context"/> carries its address; a publishing node knows none (default), and
    /// rules with conditions do not apply there (<see cref="PublishersCannotCheck"/>).
    /// </summary>
    public bool MayReceive(string topic, string clientId, string? userName, in AclContext context = default)
        => Check(AclAction.Subscribe, topic, clientId, userName, context).Allowed;
}
