using RobustMq.Gateway.Security.Authentication;

namespace RobustMq.Gateway.Tests.Security.Authentication;

/// <summary>How a 2xx body is read (the requests themselves are exercised against a real endpoint: Security/ExternalAuthTests).</summary>
public sealed class HttpAuthSourceTests
{
    [Theory]
    [InlineData("", AuthOutcome.Allow, false)]
    [InlineData("{\"result\":\"allow\"}", AuthOutcome.Allow, false)]
    [InlineData("{\"result\":\"ALLOW\",\"is_superuser\":true}", AuthOutcome.Allow, true)]
    [InlineData("{\"result\":\"allow\",\"is_superuser\":\"true\"}", AuthOutcome.Allow, true)]
    [InlineData("{\"result\":\"ignore\"}", AuthOutcome.Ignore, false)]
    [InlineData("{\"result\":\"deny\",\"is_superuser\":\"false\"}", AuthOutcome.Deny, false)]
    [InlineData("{\"result\":\"Deny\"}", AuthOutcome.Deny, false)]
    [InlineData("{\"result\":\"alow\"}", AuthOutcome.Deny, false)]
    [InlineData("{\"Result\":\"allow\"}", AuthOutcome.Deny, false)]
    [InlineData("{}", AuthOutcome.Deny, false)]
    [InlineData("[\"allow\"]", AuthOutcome.Deny, false)]
    [InlineData("<html>sign in</html>", AuthOutcome.Deny, false)]
    public void A_body_lets_a_client_in_only_when_it_says_allow(string body, AuthOutcome outcome, bool superuser)
    {
        var result = HttpAuthSource.Decide(body);
        Assert.Equal(outcome, result.Outcome);
        Assert.Equal(superuser, result.Superuser);
    }
}
