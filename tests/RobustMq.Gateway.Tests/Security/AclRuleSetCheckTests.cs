using RobustMq.Gateway.Security;

namespace RobustMq.Gateway.Tests.Security;

public sealed class AclRuleSetCheckTests
{
    private static readonly AclDecision Allowed = new(true, 0x00);
    private static readonly AclDecision NotAuthorized = new(false, 0x87);

    private static AclRuleSet Rules(string text) => AclRuleSet.Parse(text, "test.acl");

    [Fact]
    public void Allow_all_allows_everything()
    {
        Assert.Equal(Allowed, AclRuleSet.AllowAll.Check(AclAction.Publish, "a/b", "c1", null));
        Assert.Equal(Allowed, AclRuleSet.AllowAll.Check(AclAction.Subscribe, "#", "c1", null));
    }

    [Fact]
    public void No_matching_rule_allows_by_default() => Assert.Equal(Allowed, Rules("deny publish x").Check(AclAction.Publish, "a", "c1", null));

    [Fact]
    public void No_matching_rule_denies_under_default_deny()
        => Assert.Equal(NotAuthorized, Rules("default deny\nallow publish x").Check(AclAction.Publish, "a", "c1", null));

    [Fact]
    public void First_matching_rule_wins()
    {
        var rules = Rules("""
            allow publish a/public
            deny  publish a/#
            allow publish #
            """);

        Assert.Equal(Allowed, rules.Check(AclAction.Publish, "a/public", "c1", null));
        Assert.Equal(NotAuthorized, rules.Check(AclAction.Publish, "a/private", "c1", null));
        Assert.Equal(Allowed, rules.Check(AclAction.Publish, "b", "c1", null));
    }

    [Fact]
    public void Publish_rule_does_not_apply_to_subscribe()
        => Assert.Equal(Allowed, Rules("deny publish a").Check(AclAction.Subscribe, "a", "c1", null));

    [Fact]
    public void Subscribe_rule_does_not_apply_to_publish()
        => Assert.Equal(Allowed, Rules("deny subscribe a").Check(AclAction.Publish, "a", "c1", null));

    [Fact]
    public void All_rule_applies_to_publish_and_subscribe()
    {
        var rules = Rules("deny all a");

        Assert.Equal(NotAuthorized, rules.Check(AclAction.Publish, "a", "c1", null));
        Assert.Equal(NotAuthorized, rules.Check(AclAction.Subscribe, "a", "c1", null));
    }

    [Fact]
    public void Client_scoped_rule_applies_only_to_that_client()
    {
        var rules = Rules("deny publish a client=c1");

        Assert.Equal(NotAuthorized, rules.Check(AclAction.Publish, "a", "c1", "u1"));
        Assert.Equal(Allowed, rules.Check(AclAction.Publish, "a", "c2", "u1"));
    }

    [Fact]
    public void User_scoped_rule_applies_only_to_that_user()
    {
        var rules = Rules("deny publish a user=bob");

        Assert.Equal(NotAuthorized, rules.Check(AclAction.Publish, "a", "c1", "bob"));
        Assert.Equal(Allowed, rules.Check(AclAction.Publish, "a", "c1", "alice"));
    }

    [Fact]
    public void User_scoped_rule_does_not_apply_to_a_client_without_username()
        => Assert.Equal(Allowed, Rules("deny publish a user=bob").Check(AclAction.Publish, "a", "bob", null));

    [Fact]
    public void Star_rule_applies_to_everyone()
        => Assert.Equal(NotAuthorized, Rules("deny publish a *").Check(AclAction.Publish, "a", "anyone", null));

    [Fact]
    public void Client_id_placeholder_grants_each_client_its_own_subtree()
    {
        var rules = Rules("default deny\nallow publish devices/%c/#");

        Assert.Equal(Allowed, rules.Check(AclAction.Publish, "devices/c1/temp", "c1", null));
        Assert.Equal(NotAuthorized, rules.Check(AclAction.Publish, "devices/c2/temp", "c1", null));
    }

    [Fact]
    public void Username_placeholder_grants_each_user_its_own_subtree()
    {
        var rules = Rules("default deny\nallow subscribe users/%u/+");

        Assert.Equal(Allowed, rules.Check(AclAction.Subscribe, "users/bob/inbox", "c1", "bob"));
        Assert.Equal(NotAuthorized, rules.Check(AclAction.Subscribe, "users/alice/inbox", "c1", "bob"));
    }

    [Fact]
    public void Placeholder_inside_a_level_is_substituted()
        => Assert.Equal(Allowed, Rules("default deny\nallow publish d/id-%c-x").Check(AclAction.Publish, "d/id-c1-x", "c1", null));

    [Fact]
    public void Username_placeholder_rule_is_skipped_without_username()
        => Assert.Equal(NotAuthorized, Rules("default deny\nallow publish users/%u/#").Check(AclAction.Publish, "users//x", "c1", null));

    [Theory]
    [InlineData("+")]
    [InlineData("#")]
    [InlineData("c1/x")]
    public void Allow_placeholder_rule_is_skipped_for_a_client_id_with_topic_syntax(string clientId)
        => Assert.Equal(NotAuthorized, Rules("default deny\nallow subscribe devices/%c/#").Check(AclAction.Subscribe, "devices/c1/#", clientId, null));

    [Fact]
    public void Deny_placeholder_rule_applies_to_a_client_id_with_topic_syntax()
        => Assert.Equal(NotAuthorized, Rules("deny publish private/%c").Check(AclAction.Publish, "public", "+", null));

    [Fact]
    public void Long_client_id_is_substituted()
    {
        var clientId = new string('c', 1000);

        Assert.Equal(Allowed, Rules("default deny\nallow publish devices/%c/#").Check(AclAction.Publish, $"devices/{clientId}/t", clientId, null));
    }

    [Fact]
    public void Denied_subscribe_carries_the_rule_reason_code()
        => Assert.Equal(new AclDecision(false, 0x80), Rules("deny subscribe secret/# reason=0x80").Check(AclAction.Subscribe, "secret/a", "c1", null));

    [Fact]
    public void Denied_publish_carries_not_authorized_by_default()
        => Assert.Equal(NotAuthorized, Rules("deny publish secret/#").Check(AclAction.Publish, "secret/a", "c1", null));

    [Theory]
    [InlineData("a/b")]
    [InlineData("a/+")]
    public void Subscribe_filter_within_an_allow_rule_is_allowed(string filter)
        => Assert.Equal(Allowed, Rules("default deny\nallow subscribe a/+").Check(AclAction.Subscribe, filter, "c1", null));

    [Theory]
    [InlineData("a/#")]
    [InlineData("+/b")]
    [InlineData("#")]
    public void Subscribe_filter_wider_than_the_allow_rule_is_not_covered(string filter)
        => Assert.Equal(NotAuthorized, Rules("default deny\nallow subscribe a/+").Check(AclAction.Subscribe, filter, "c1", null));

    [Theory]
    [InlineData("secret/a")]
    [InlineData("secret/#")]
    public void Subscribe_filter_inside_a_deny_rule_is_denied(string filter)
        => Assert.Equal(NotAuthorized, Rules("deny subscribe secret/#\nallow subscribe #").Check(AclAction.Subscribe, filter, "c1", null));

    [Theory]
    [InlineData("#")]
    [InlineData("+/a")]
    public void Subscribe_filter_wider_than_a_deny_rule_is_not_governed_by_it(string filter)
        => Assert.Equal(Allowed, Rules("deny subscribe secret/#\nallow subscribe #").Check(AclAction.Subscribe, filter, "c1", null));

    [Fact]
    public void Subscribe_filter_disjoint_from_a_deny_rule_passes_it()
        => Assert.Equal(Allowed, Rules("deny subscribe secret/#").Check(AclAction.Subscribe, "public/+", "c1", null));

    [Fact]
    public void Publish_matches_the_topic_name_against_the_rule_filter()
    {
        var rules = Rules("default deny\nallow publish sport/#");

        Assert.Equal(Allowed, rules.Check(AclAction.Publish, "sport", "c1", null));
        Assert.Equal(NotAuthorized, rules.Check(AclAction.Publish, "sports", "c1", null));
    }

    [Fact]
    public void Leading_wildcard_rule_does_not_cover_dollar_topics()
        => Assert.Equal(NotAuthorized, Rules("default deny\nallow all #").Check(AclAction.Subscribe, "$SYS/#", "c1", null));
}
