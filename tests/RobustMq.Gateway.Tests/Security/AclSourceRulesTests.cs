using RobustMq.Gateway.Security;

namespace RobustMq.Gateway.Tests.Security;

/// <summary>Rules from a store (Acl:Sources) come before the file's, and a value that is not a rule is an error, never skipped.</summary>
public sealed class AclSourceRulesTests
{
    [Fact]
    public void A_clients_store_rules_are_tried_before_the_files_and_keep_its_default()
    {
        var file = AclRuleSet.Parse("deny publish a/#\ndefault deny\n", "test.acl");

        var client = file.WithFirst([AclRules.Of("allow", "publish", "a/%c/#", "row 1")]);

        Assert.True(client.Check(AclAction.Publish, "a/dev-1/x", "dev-1", null).Allowed);
        Assert.False(client.Check(AclAction.Publish, "a/other/x", "dev-1", null).Allowed);
        Assert.False(client.Check(AclAction.Subscribe, "b", "dev-1", null).Allowed);
        Assert.Same(file, file.WithFirst([]));
    }

    [Theory]
    [InlineData("maybe", "publish", "t", "permission must be allow or deny")]
    [InlineData("deny", "read", "t", "action must be publish, subscribe or all")]
    [InlineData("deny", "all", "a/#/b", "is not a topic filter")]
    [InlineData("deny", "all", null, "is not a topic filter")]
    public void A_value_that_is_not_a_rule_is_an_error(string? permission, string? action, string? topic, string error)
    {
        var ex = Assert.Throws<AclSourceException>(() => AclRules.Of(permission, action, topic, "mqtt_acl row 3"));

        Assert.Contains(error, ex.Message, StringComparison.Ordinal);
        Assert.StartsWith("mqtt_acl row 3: ", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Only_the_clients_own_deny_rules_make_a_wider_filter_refused()
    {
        var file = AclRuleSet.Parse("deny subscribe file/secret/#\n", "test.acl");
        var client = file.WithFirst([AclRules.Of("deny", "subscribe", "own/secret/#", "row 1"), AclRules.Of("allow", "subscribe", "own/open/#", "row 2")]);

        Assert.True(client.PublishersCannotCheck("own/#", "c", null));
        Assert.True(client.PublishersCannotCheck("#", "c", null));
        Assert.False(client.PublishersCannotCheck("own/open/#", "c", null));
        Assert.False(client.PublishersCannotCheck("file/#", "c", null));
        Assert.False(file.PublishersCannotCheck("file/#", "c", null));
    }

    [Fact]
    public void Without_a_file_NoMatch_deny_refuses_everything()
    {
        var rules = AclRuleSet.Default(allow: false);

        Assert.False(rules.Check(AclAction.Publish, "t", "c", null).Allowed);
        Assert.Same(AclRuleSet.AllowAll, AclRuleSet.Default(allow: true));
    }
}
