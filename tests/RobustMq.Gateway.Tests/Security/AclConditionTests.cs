using System.Net;
using RobustMq.Gateway.Security;
using RobustMq.Gateway.Security.BuiltInAcl;

namespace RobustMq.Gateway.Tests.Security;

/// <summary>
/// The conditions a rule may carry (issue 13: IP or CIDR, QoS, retain), in the file and from the stores, and how a
/// subscription is admitted when only the subscriber's node can apply a rule.
/// </summary>
public sealed class AclConditionTests
{
    private static readonly IPAddress Lan = IPAddress.Parse("10.1.2.3");
    private static readonly IPAddress Home = IPAddress.Parse("192.168.0.9");

    [Fact]
    public void The_file_reads_ipaddr_qos_and_retain()
    {
        var rules = AclRuleSet.Parse(
            "deny publish a/# ipaddr=10.0.0.0/8 qos=1,2 retain=true\nallow all b/# * ipaddr=::1\n", "test.acl");

        var first = rules.Rules[0];
        Assert.Equal(IPNetwork.Parse("10.0.0.0/8"), first.Peer);
        Assert.Equal(0b110, first.QoS);
        Assert.True(first.Retain);
        Assert.True(first.Local);
        Assert.Equal(IPNetwork.Parse("::1/128"), rules.Rules[1].Peer);
        Assert.False(AclRuleSet.Parse("deny all c/#\n", "t").Rules[0].Local);
    }

    [Theory]
    [InlineData("deny publish a ipaddr=10.1.0.0/8", "ipaddr: '10.1.0.0/8' is not an address or a CIDR network")]
    [InlineData("deny publish a ipaddr=host", "ipaddr: 'host' is not an address")]
    [InlineData("deny publish a qos=3", "qos: '3' is not a list of QoS levels")]
    [InlineData("deny publish a qos=", "qos: '' is not a list of QoS levels")]
    [InlineData("deny publish a retain=yes", "retain: 'yes' is not true or false")]
    [InlineData("deny publish a qos=0 qos=1", "more than one qos")]
    public void A_bad_condition_names_the_line_and_the_problem(string line, string problem)
    {
        var ex = Assert.Throws<FormatException>(() => AclRuleSet.Parse(line + "\n", "test.acl"));

        Assert.Contains("test.acl line 1: " + problem, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_address_condition_applies_to_clients_from_that_network_only()
    {
        var rules = AclRuleSet.Parse("deny publish a/# ipaddr=10.0.0.0/8\n", "test.acl");

        Assert.False(rules.Check(AclAction.Publish, "a/x", "c", null, new AclContext(Lan)).Allowed);
        Assert.True(rules.Check(AclAction.Publish, "a/x", "c", null, new AclContext(Home)).Allowed);
        Assert.False(rules.Check(AclAction.Publish, "a/x", "c", null, new AclContext(AclContext.Normalize(Lan.MapToIPv6()))).Allowed);
        // Where the address is not known, a rule on it does not apply.
        Assert.True(rules.Check(AclAction.Publish, "a/x", "c", null).Allowed);
    }

    [Fact]
    public void QoS_and_retain_conditions_apply_to_the_publish_that_meets_them()
    {
        var rules = AclRuleSet.Parse("deny publish q/# qos=1,2\ndeny publish r/# retain=true\ndeny subscribe s/# qos=2\n", "test.acl");
        var here = new AclContext(Lan);

        Assert.True(rules.Check(AclAction.Publish, "q/x", "c", null, here with { QoS = 0, Retain = false }).Allowed);
        Assert.False(rules.Check(AclAction.Publish, "q/x", "c", null, here with { QoS = 1, Retain = false }).Allowed);
        Assert.True(rules.Check(AclAction.Publish, "r/x", "c", null, here with { QoS = 1, Retain = false }).Allowed);
        Assert.False(rules.Check(AclAction.Publish, "r/x", "c", null, here with { QoS = 0, Retain = true }).Allowed);
        Assert.True(rules.Check(AclAction.Subscribe, "s/x", "c", null, here.ForSubscription(1)).Allowed);
        Assert.False(rules.Check(AclAction.Subscribe, "s/x", "c", null, here.ForSubscription(2)).Allowed);
    }

    [Fact]
    public void A_rule_only_the_subscribers_node_can_apply_refuses_a_wider_subscription_it_could_cut()
    {
        var rules = AclRuleSet.Parse("deny subscribe a/secret ipaddr=10.0.0.0/8\nallow subscribe #\n", "test.acl");
        var lan = new AclContext(Lan).ForSubscription(0);
        var home = new AclContext(Home).ForSubscription(0);

        Assert.True(rules.PublishersCannotCheck("a/#", "c", null, lan));
        Assert.False(rules.PublishersCannotCheck("a/open", "c", null, lan));
        Assert.False(rules.PublishersCannotCheck("a/#", "c", null, home));
    }

    [Fact]
    public void A_local_allow_ahead_of_a_deny_the_publisher_would_apply_refuses_the_subscription()
    {
        // On the publishing node the first rule does not apply (no address), so a/x would be refused there while the
        // subscriber's own rules allow it: the subscription is refused, never delivered against other rules.
        var rules = AclRuleSet.Parse("allow subscribe a/x ipaddr=10.0.0.0/8\ndeny subscribe a/#\nallow subscribe #\n", "test.acl");
        var lan = new AclContext(Lan).ForSubscription(0);

        Assert.True(rules.PublishersCannotCheck("#", "c", null, lan));
        Assert.False(rules.PublishersCannotCheck("a/x", "c", null, lan));
        Assert.False(rules.PublishersCannotCheck("b/#", "c", null, lan));
    }

    [Fact]
    public void A_store_rule_carries_its_conditions_from_text_or_JSON()
    {
        var fromColumns = AclRules.Of("deny", "publish", "t/#", "row 1", new AclRuleConditions("10.0.0.0/8", "1,2", "1"));
        var fromJson = AclRules.FromJson("allow", "t/#", "{\"action\":\"publish\",\"permission\":\"deny\",\"qos\":[1,2],\"retain\":true,\"ipaddr\":\"10.0.0.0/8\"}", "redis");

        Assert.Equal(fromColumns, fromJson);
        Assert.True(fromJson.FromSource);
        var ex = Assert.Throws<AclSourceException>(() => AclRules.FromJson("allow", "t", "{\"action\":\"publish\",\"qos\":[5]}", "redis k t"));
        Assert.StartsWith("redis k t: qos:", ex.Message, StringComparison.Ordinal);
        Assert.Throws<AclSourceException>(() => AclRules.FromJson("allow", "t", "[1]", "redis"));
    }

    [Fact]
    public void The_HTTP_sources_answer_is_rules_or_an_error()
    {
        var rules = HttpAclSource.Parse("{\"rules\":[{\"permission\":\"deny\",\"action\":\"publish\",\"topic\":\"x/#\",\"qos\":[1]}]}");

        Assert.Single(rules);
        Assert.Equal(0b10, rules[0].QoS);
        Assert.Single(HttpAclSource.Parse("[{\"permission\":\"allow\",\"action\":\"all\",\"topic\":\"#\"}]"));
        Assert.Empty(HttpAclSource.Parse("{\"rules\":[]}"));
        Assert.Throws<AclSourceException>(() => HttpAclSource.Parse(""));
        Assert.Throws<AclSourceException>(() => HttpAclSource.Parse("{\"result\":\"allow\"}"));
        Assert.Throws<AclSourceException>(() => HttpAclSource.Parse("<html>"));
        Assert.Throws<AclSourceException>(() => HttpAclSource.Parse("[{\"permission\":\"deny\",\"action\":\"publish\",\"topic\":\"a/#/b\"}]"));
    }

    [Theory]
    [InlineData("all", null)]
    [InlineData("user/ops", null)]
    [InlineData("client/dev-1", null)]
    [InlineData("user/", "is not a subject")]
    [InlineData("group/x", "is not a subject")]
    [InlineData(null, "is not a subject")]
    public void A_built_in_store_subject_is_all_a_user_or_a_client(string? who, string? problem)
    {
        var found = AclEntry.WhoProblem(who);

        if (problem is null)
        {
            Assert.Null(found);
        }
        else
        {
            Assert.Contains(problem, found, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void A_built_in_entry_round_trips_and_gives_its_rules_in_order()
    {
        var entry = new AclEntry("user/ops", [new AclEntryRule("deny", "publish", "a/#", [1], null, "127.0.0.1"), new AclEntryRule("allow", "all", "#")]);

        var decoded = AclEntry.Decode(entry.Encode());
        var rules = decoded.ToRules();

        Assert.Equal("user/ops", decoded.Who);
        Assert.Equal(2, rules.Count);
        Assert.False(rules[0].Allow);
        Assert.Equal(IPNetwork.Parse("127.0.0.1/32"), rules[0].Peer);
        Assert.True(rules[1].Allow);
        var bad = new AclEntry("all", [new AclEntryRule("deny", "publish", "x", null, null, "10.1.0.0/8")]);
        Assert.Contains("builtin all rule 1: ipaddr", Assert.Throws<AclSourceException>(() => bad.ToRules()).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_eq_rule_covers_its_filter_as_text_and_no_other()
    {
        var rules = AclRuleSet.Parse("deny subscribe eq t/# client=c\nallow all #\n", "test.acl");
        var stored = AclRules.Of("deny", "subscribe", "eq s/+", "row 1");

        Assert.True(rules.Rules[0].Exact);
        Assert.Equal("c", rules.Rules[0].ClientId);
        Assert.False(rules.Check(AclAction.Subscribe, "t/#", "c", null).Allowed);
        Assert.True(rules.Check(AclAction.Subscribe, "t/a", "c", null).Allowed);
        Assert.True(rules.Check(AclAction.Subscribe, "#", "c", null).Allowed);
        Assert.False(rules.NeedsReadCheck("#", "c", null));
        Assert.True(stored.Exact);
        Assert.False(AclRuleSet.Default(true).WithFirst([stored]).Check(AclAction.Subscribe, "s/+", "c", null).Allowed);
        Assert.True(AclRuleSet.Default(true).WithFirst([stored]).Check(AclAction.Subscribe, "s/x", "c", null).Allowed);
    }

    [Fact]
    public void A_rule_for_the_topic_eq_keeps_its_meaning()
    {
        var rule = AclRuleSet.Parse("deny publish eq user=bob\ndeny subscribe eq\n", "test.acl").Rules;

        Assert.Equal("eq", rule[0].Filter);
        Assert.False(rule[0].Exact);
        Assert.Equal("bob", rule[0].UserName);
        Assert.Equal("eq", rule[1].Filter);
    }

    [Fact]
    public void An_IPv4_mapped_network_is_the_IPv4_one_and_an_empty_QoS_list_is_an_error()
    {
        var rules = AclRuleSet.Parse("deny publish a ipaddr=::ffff:10.0.0.0/104\n", "test.acl");

        Assert.Equal(IPNetwork.Parse("10.0.0.0/8"), rules.Rules[0].Peer);
        Assert.False(rules.Check(AclAction.Publish, "a", "c", null, new AclContext(Lan)).Allowed);
        var empty = new AclEntry("all", [new AclEntryRule("deny", "publish", "a", [], null, null)]);
        Assert.Contains("qos", Assert.Throws<AclSourceException>(() => empty.ToRules()).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_local_rule_deciding_a_filter_behind_a_deny_refuses_the_subscription()
    {
        // The publishing node would pass over the QoS-conditioned allow and refuse every message of '#'.
        var rules = AclRuleSet.Parse("deny subscribe secret/#\nallow subscribe # qos=0,1\ndefault deny\n", "test.acl");
        var qos1 = new AclContext(Lan).ForSubscription(1);

        Assert.True(rules.Check(AclAction.Subscribe, "#", "c", null, qos1).Allowed);
        Assert.True(rules.PublishersCannotCheck("#", "c", null, qos1));
        Assert.False(rules.PublishersCannotCheck("open/#", "c", null, qos1));
    }

    [Fact]
    public void EMQX_placeholders_read_as_the_files()
    {
        var stored = AclRules.Of("allow", "publish", "d/${clientid}/${username}/#", "row 1");

        Assert.Equal("d/%c/%u/#", stored.Filter);
        var rules = AclRuleSet.Default(false).WithFirst([stored]);
        Assert.True(rules.Check(AclAction.Publish, "d/c1/u1/x", "c1", "u1").Allowed);
        Assert.False(rules.Check(AclAction.Publish, "d/c2/u1/x", "c1", "u1").Allowed);
        Assert.Equal("d/%c/#", AclRuleSet.Parse("allow publish d/${clientid}/#\n", "t").Rules[0].Filter);
    }

    [Theory]
    [InlineData("deny subscribe eq a/#/b\n", "invalid topic filter 'a/#/b'")]
    [InlineData("deny subscribe $share/g/a\n", "is shared")]
    public void A_bad_eq_or_shared_filter_is_refused(string text, string problem)
    {
        Assert.Contains(problem, Assert.Throws<FormatException>(() => AclRuleSet.Parse(text, "t")).Message, StringComparison.Ordinal);
    }
}
