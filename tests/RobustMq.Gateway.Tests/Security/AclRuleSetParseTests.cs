using RobustMq.Gateway.Security;

namespace RobustMq.Gateway.Tests.Security;

public sealed class AclRuleSetParseTests
{
    private const string GoodFile = """
        # devices write their own subtree
        allow publish   devices/%c/#

          # indented comment
        allow subscribe alerts/+       user=ops
        deny  all       secret/#       *          reason=0x80
        allow all       #              client=admin
        default deny
        """;

    private static FormatException ParseError(string text) => Assert.Throws<FormatException>(() => AclRuleSet.Parse(text, "acl.conf"));

    [Fact]
    public void Good_file_yields_its_rules_in_order()
    {
        var rules = AclRuleSet.Parse(GoodFile, "acl.conf").Rules;

        Assert.Equal(
            [
                new AclRule(true, AclAction.Publish, "devices/%c/#", null, null, 0x00, 2),
                new AclRule(true, AclAction.Subscribe, "alerts/+", null, "ops", 0x00, 5),
                new AclRule(false, null, "secret/#", null, null, 0x80, 6),
                new AclRule(true, null, "#", "admin", null, 0x00, 7),
            ],
            rules);
    }

    [Fact]
    public void Default_deny_line_sets_default_allow_to_false() => Assert.False(AclRuleSet.Parse(GoodFile, "acl.conf").DefaultAllow);

    [Fact]
    public void File_without_a_default_line_allows_by_default() => Assert.True(AclRuleSet.Parse("deny publish a", "acl.conf").DefaultAllow);

    [Fact]
    public void Empty_file_has_no_rules() => Assert.Empty(AclRuleSet.Parse("\n  \n# only comments\n", "acl.conf").Rules);

    [Fact]
    public void Deny_rule_without_reason_gives_not_authorized() => Assert.Equal(0x87, AclRuleSet.Parse("deny publish a", "acl.conf").Rules[0].ReasonCode);

    [Fact]
    public void Tabs_separate_fields() => Assert.Equal("a/b", AclRuleSet.Parse("allow\tpublish\ta/b\tclient=c1", "acl.conf").Rules[0].Filter);

    [Fact]
    public void Windows_line_endings_are_accepted() => Assert.Equal(2, AclRuleSet.Parse("allow publish a\r\ndeny publish b\r\n", "acl.conf").Rules.Count);

    [Fact]
    public void Load_reads_the_file_and_names_it_in_errors()
    {
        var path = Path.Combine(Path.GetTempPath(), $"robustmq-acl-{Guid.NewGuid():N}.conf");
        File.WriteAllText(path, "allow publish a\nbogus publish b\n");
        try
        {
            var error = Assert.Throws<FormatException>(() => AclRuleSet.Load(path));
            Assert.Contains(path, error.Message, StringComparison.Ordinal);
            Assert.Contains("line 2", error.Message, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void Error_names_the_source() => Assert.StartsWith("acl.conf line 1:", ParseError("bogus publish a").Message, StringComparison.Ordinal);

    [Fact]
    public void Unknown_permission_is_rejected_with_its_line()
    {
        var error = ParseError("allow publish a\n\nalow publish b");
        Assert.Contains("line 3", error.Message, StringComparison.Ordinal);
        Assert.Contains("unknown permission 'alow'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Missing_action_is_rejected_with_its_line()
    {
        var error = ParseError("# c\nallow");
        Assert.Contains("line 2", error.Message, StringComparison.Ordinal);
        Assert.Contains("missing action", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Unknown_action_is_rejected_with_its_line()
    {
        var error = ParseError("allow write a");
        Assert.Contains("line 1", error.Message, StringComparison.Ordinal);
        Assert.Contains("unknown action 'write'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Missing_topic_filter_is_rejected_with_its_line()
    {
        var error = ParseError("allow publish a\ndeny all");
        Assert.Contains("line 2", error.Message, StringComparison.Ordinal);
        Assert.Contains("missing topic filter", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("a/#/b")]
    [InlineData("a+")]
    [InlineData("sport#")]
    public void Invalid_topic_filter_is_rejected_with_its_line(string filter)
    {
        var error = ParseError($"allow publish a\nallow publish b\ndeny publish {filter}");
        Assert.Contains("line 3", error.Message, StringComparison.Ordinal);
        Assert.Contains($"invalid topic filter '{filter}'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Shared_rule_filter_is_rejected_with_its_line()
    {
        var error = ParseError("deny subscribe $share/g/a");
        Assert.Contains("line 1", error.Message, StringComparison.Ordinal);
        Assert.Contains("inner filter", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Unknown_field_is_rejected_with_its_line()
    {
        var error = ParseError("allow publish a\nallow publish b group=x");
        Assert.Contains("line 2", error.Message, StringComparison.Ordinal);
        Assert.Contains("unknown field 'group=x'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Two_who_parts_are_rejected_with_their_line()
    {
        var error = ParseError("allow publish a client=c1 user=u1");
        Assert.Contains("line 1", error.Message, StringComparison.Ordinal);
        Assert.Contains("more than one who part", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("client=")]
    [InlineData("user=")]
    public void Empty_client_id_or_user_name_is_rejected_with_its_line(string who)
    {
        var error = ParseError($"allow publish a {who}");
        Assert.Contains("line 1", error.Message, StringComparison.Ordinal);
        Assert.Contains("empty", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("reason=0x7F")]
    [InlineData("reason=0x100")]
    [InlineData("reason=135")]
    [InlineData("reason=0xZZ")]
    [InlineData("reason=")]
    public void Invalid_reason_code_is_rejected_with_its_line(string reason)
    {
        var error = ParseError($"\ndeny subscribe a {reason}");
        Assert.Contains("line 2", error.Message, StringComparison.Ordinal);
        Assert.Contains("invalid reason code", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Reason_on_an_allow_rule_is_rejected_with_its_line()
    {
        var error = ParseError("allow subscribe a reason=0x80");
        Assert.Contains("line 1", error.Message, StringComparison.Ordinal);
        Assert.Contains("only applies to deny rules", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Two_reasons_are_rejected_with_their_line()
    {
        var error = ParseError("deny subscribe a reason=0x80 reason=0x87");
        Assert.Contains("line 1", error.Message, StringComparison.Ordinal);
        Assert.Contains("more than one reason", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("default")]
    [InlineData("default maybe")]
    [InlineData("default deny now")]
    public void Malformed_default_line_is_rejected_with_its_line(string line)
    {
        var error = ParseError($"allow publish a\n{line}");
        Assert.Contains("line 2", error.Message, StringComparison.Ordinal);
        Assert.Contains("'default deny'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Second_default_line_is_rejected_with_its_line()
    {
        var error = ParseError("default deny\nallow publish a\ndefault allow");
        Assert.Contains("line 3", error.Message, StringComparison.Ordinal);
        Assert.Contains("duplicate 'default' line (first on line 1)", error.Message, StringComparison.Ordinal);
    }
}
