using RobustMq.Gateway.Security;

namespace RobustMq.Gateway.Tests.Security;

/// <summary>Which allowed subscriptions need the ACL read check per message (<see cref="AclRuleSet.NeedsReadCheck"/>).</summary>
public sealed class AclReadCheckTests
{
    private static AclRuleSet Rules(string text) => AclRuleSet.Parse(text, "test.acl");

    [Theory]
    [InlineData("#")]
    [InlineData("+/x")]
    [InlineData("+/+/+")]
    [InlineData("+/+/#")]
    public void Wildcard_filter_overlapping_a_subscribe_deny_needs_a_read_check(string filter)
        => Assert.True(Rules("deny subscribe secret/#").NeedsReadCheck(filter, "c1", null));

    [Theory]
    [InlineData("open/#")]
    [InlineData("open")]
    [InlineData("open/+/x")]
    [InlineData("$SYS/#")]
    public void Filter_disjoint_from_every_deny_needs_no_read_check(string filter)
        => Assert.False(Rules("deny subscribe secret/#").NeedsReadCheck(filter, "c1", null));

    [Fact]
    public void Leading_wildcard_does_not_overlap_a_deny_of_dollar_topics()
        => Assert.False(Rules("deny subscribe $SYS/#").NeedsReadCheck("#", "c1", null));

    [Fact]
    public void Filter_allowed_by_an_earlier_rule_needs_no_read_check()
        => Assert.False(Rules("allow subscribe a/#\ndeny subscribe a/secret").NeedsReadCheck("a/+", "c1", null));

    [Fact]
    public void Deny_after_the_rule_that_allows_the_filter_needs_no_read_check()
        => Assert.False(Rules("allow subscribe #\ndeny subscribe secret/#").NeedsReadCheck("#", "c1", null));

    [Fact]
    public void Deny_rule_of_another_client_needs_no_read_check()
    {
        var rules = Rules("deny subscribe secret/# client=c2");

        Assert.False(rules.NeedsReadCheck("#", "c1", null));
        Assert.True(rules.NeedsReadCheck("#", "c2", null));
    }

    [Fact]
    public void Deny_rule_of_a_user_applies_to_that_user_only()
    {
        var rules = Rules("deny subscribe secret/# user=guest");

        Assert.False(rules.NeedsReadCheck("#", "c1", "admin"));
        Assert.True(rules.NeedsReadCheck("#", "c1", "guest"));
    }

    [Fact]
    public void Publish_deny_needs_no_read_check()
        => Assert.False(Rules("deny publish secret/#").NeedsReadCheck("#", "c1", null));

    [Fact]
    public void All_deny_needs_a_read_check() => Assert.True(Rules("deny all secret/#").NeedsReadCheck("#", "c1", null));

    [Fact]
    public void Pattern_deny_is_substituted_before_the_overlap_test()
    {
        var rules = Rules("deny subscribe users/%u/private");

        Assert.True(rules.NeedsReadCheck("users/+/private", "c1", "u1"));
        Assert.False(rules.NeedsReadCheck("users/u2/#", "c1", "u1"));
        Assert.True(rules.NeedsReadCheck("users/u1/+", "c1", "u1"));
    }

    [Fact]
    public void Read_check_refuses_a_topic_the_client_may_not_subscribe_to()
    {
        var rules = Rules("deny subscribe secret/#");

        Assert.False(rules.MayReceive("secret/x", "c1", null));
        Assert.False(rules.MayReceive("secret", "c1", null));
        Assert.True(rules.MayReceive("open/x", "c1", null));
    }

    [Fact]
    public void Read_check_follows_default_deny_and_the_allow_rules()
    {
        var rules = Rules("default deny\nallow subscribe open/#");

        Assert.True(rules.MayReceive("open/x", "c1", null));
        Assert.False(rules.MayReceive("other/x", "c1", null));
    }

    [Fact]
    public void Publish_deny_with_a_single_level_wildcard_refuses_every_topic_it_matches()
    {
        var rules = Rules("deny publish +/cmd");

        Assert.False(rules.Check(AclAction.Publish, "dev1/cmd", "c1", null).Allowed);
        Assert.True(rules.Check(AclAction.Publish, "dev1/cmd/x", "c1", null).Allowed);
    }

    [Fact]
    public void Only_a_subscribe_deny_for_the_client_or_default_deny_may_refuse_reads()
    {
        Assert.False(Rules("deny publish secret/#\ndeny subscribe secret/# user=guest").MayRefuseReads("c1", "admin"));
        Assert.True(Rules("deny subscribe secret/# user=guest").MayRefuseReads("c1", "guest"));
        Assert.True(Rules("default deny\nallow subscribe #").MayRefuseReads("c1", null));
    }
}
