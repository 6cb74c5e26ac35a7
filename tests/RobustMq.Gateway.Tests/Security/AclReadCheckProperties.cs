using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using RobustMq.Gateway.Security;
using RobustMq.Protocol.Topics;

namespace RobustMq.Gateway.Tests.Security;

/// <summary>An ACL rules text and a subscription filter, from small alphabets so that rules and filters collide often.</summary>
public sealed record AclCase(string RulesText, string Filter, string ClientId)
{
    public override string ToString() => $"rules:\n{RulesText}\nfilter: {Filter}, client: {ClientId}";
}

public static class AclCaseGenerators
{
    private static readonly string[] RuleLevels = ["a", "b", "", "$s", "+", "%c"];
    private static readonly string[] FilterLevels = ["a", "b", "", "$s", "+"];
    private static readonly string[] TopicLevels = ["a", "b", "", "$s", "z"];

    /// <summary>Every topic name of 1 to 4 levels over the topic alphabet (deep enough for filters of up to 3 levels and '#').</summary>
    public static readonly IReadOnlyList<string> Universe = AllTopics(4);

    public static Arbitrary<AclCase> Cases()
    {
        var rule =
            from allow in Gen.Elements("allow", "deny")
            from action in Gen.Elements("publish", "subscribe", "all")
            from filter in FilterGen(RuleLevels)
            from who in Gen.Elements("*", "client=a", "client=b")
            select $"{allow} {action} {filter} {who}";
        var gen =
            from defaultLine in Gen.Elements("", "default deny\n")
            from count in Gen.Choose(1, 4)
            from rules in Gen.ArrayOf(rule, count)
            from filter in FilterGen(FilterLevels)
            from clientId in Gen.Elements("a", "b")
            select new AclCase(defaultLine + string.Join('\n', rules), filter, clientId);
        return Arb.From(gen);
    }

    private static Gen<string> FilterGen(string[] alphabet) =>
        from depth in Gen.Choose(1, 3)
        from levels in Gen.ArrayOf(Gen.Elements(alphabet), depth)
        from hash in Gen.Elements(0, 1, 2) // 0: none, 1: replace the last level, 2: append
        select hash switch
        {
            1 => string.Join('/', levels[..^1].Append("#")),
            2 => string.Join('/', levels.Append("#")),
            _ => string.Join('/', levels),
        };

    private static List<string> AllTopics(int maxDepth)
    {
        var all = new List<string>();
        var current = new List<string> { "" };
        for (var depth = 1; depth <= maxDepth; depth++)
        {
            current = depth == 1 ? [.. TopicLevels] : [.. current.SelectMany(p => TopicLevels.Select(l => p + "/" + l))];
            all.AddRange(current.Where(t => t.Length > 0));
        }

        return all;
    }
}

[Properties(Arbitrary = [typeof(AclCaseGenerators)], MaxTest = 1000)]
public sealed class AclReadCheckProperties
{
    /// <summary>
    /// The reason a subscription without the check costs nothing per message: every topic an allowed filter matches is
    /// one the client may receive, unless the filter was marked at SUBSCRIBE.
    /// </summary>
    [Property]
    public bool An_allowed_filter_without_a_read_check_matches_only_topics_the_client_may_receive(AclCase c)
    {
        if (!TopicValidator.IsValidTopicFilter(c.Filter))
        {
            return true;
        }

        var rules = AclRuleSet.Parse(c.RulesText, "generated.acl");
        if (!rules.Check(AclAction.Subscribe, c.Filter, c.ClientId, null).Allowed || rules.NeedsReadCheck(c.Filter, c.ClientId, null))
        {
            return true;
        }

        return AclCaseGenerators.Universe.All(t => !TopicMatcher.Matches(c.Filter, t) || rules.MayReceive(t, c.ClientId, null));
    }

    /// <summary>The check is not vacuous: a filter that reaches a refused topic is always marked.</summary>
    [Property]
    public bool A_filter_that_matches_a_refused_topic_is_marked_or_refused(AclCase c)
    {
        if (!TopicValidator.IsValidTopicFilter(c.Filter))
        {
            return true;
        }

        var rules = AclRuleSet.Parse(c.RulesText, "generated.acl");
        var reachesRefused = AclCaseGenerators.Universe.Any(t => TopicMatcher.Matches(c.Filter, t) && !rules.MayReceive(t, c.ClientId, null));
        return !reachesRefused
            || !rules.Check(AclAction.Subscribe, c.Filter, c.ClientId, null).Allowed
            || rules.NeedsReadCheck(c.Filter, c.ClientId, null);
    }
}
