using RobustMq.Gateway.Security.Authentication;
using RobustMq.Protocol.ReasonCodes;

namespace RobustMq.Gateway.Tests.Security.Authentication;

/// <summary>The chain's rules (Authenticator's summary) with sources that answer as told.</summary>
public sealed class AuthenticatorTests
{
    private static readonly AuthRequest Anonymous = new("c1", null, null, "127.0.0.1:1", 5);
    private static readonly AuthRequest Named = new("c1", "alice", "pw"u8.ToArray(), "127.0.0.1:1", 5);

    [Fact]
    public async Task No_source_with_anonymous_allowed_lets_everyone_in_without_asking()
    {
        var chain = new Authenticator([], allowAnonymous: true, fallThroughWhenDown: false);
        Assert.True(chain.LetsEveryoneIn);
        Assert.True((await chain.AuthenticateAsync(Named, default)).Allowed);
        Assert.True((await chain.AuthenticateAsync(Anonymous, default)).Allowed);
    }

    [Fact]
    public async Task No_source_with_anonymous_refused_refuses_both_kinds_with_their_codes()
    {
        var chain = new Authenticator([], allowAnonymous: false, fallThroughWhenDown: false);
        var anonymous = await chain.AuthenticateAsync(Anonymous, default);
        Assert.Equal((ReasonCode.NotAuthorized, ConnectReturnCode.NotAuthorized), (anonymous.Refusal.Reason, anonymous.Refusal.ReturnCode));
        var named = await chain.AuthenticateAsync(Named, default);
        Assert.Equal((ReasonCode.BadUserNameOrPassword, ConnectReturnCode.BadUserNameOrPassword), (named.Refusal.Reason, named.Refusal.ReturnCode));
    }

    [Fact]
    public async Task The_first_decisive_source_wins_and_later_ones_are_not_asked()
    {
        var first = new Told("first", AuthResult.Ignored);
        var second = new Told("second", AuthResult.Allowed(superuser: true));
        var third = new Told("third", AuthResult.Denied("no"));
        var decision = await new Authenticator([first, second, third], false, false).AuthenticateAsync(Named, default);
        Assert.True(decision.Allowed);
        Assert.True(decision.Superuser);
        Assert.Equal("second", decision.Source);
        Assert.Equal((1, 1, 0), (first.Asked, second.Asked, third.Asked));
    }

    [Fact]
    public async Task A_deny_refuses_with_bad_user_name_or_password()
    {
        var decision = await new Authenticator([new Told("s", AuthResult.Denied("wrong password")), new Told("t", AuthResult.Allowed(false))], true, false)
            .AuthenticateAsync(Named, default);
        Assert.False(decision.Allowed);
        Assert.Equal(ReasonCode.BadUserNameOrPassword, decision.Refusal.Reason);
        Assert.Equal("wrong password", decision.Reason);
    }

    [Fact]
    public async Task A_source_that_is_down_refuses_with_server_unavailable_unless_told_to_fall_through()
    {
        var down = new Told("down", AuthResult.Down("timeout"));
        var allow = new Told("ok", AuthResult.Allowed(false));
        var refused = await new Authenticator([down, allow], false, fallThroughWhenDown: false).AuthenticateAsync(Named, default);
        Assert.Equal((ReasonCode.ServerUnavailable, ConnectReturnCode.ServerUnavailable), (refused.Refusal.Reason, refused.Refusal.ReturnCode));
        var through = await new Authenticator([down, allow], false, fallThroughWhenDown: true).AuthenticateAsync(Named, default);
        Assert.True(through.Allowed);
        Assert.Equal("ok", through.Source);

        // Passed over and nobody else decides: the client hears "unavailable", not "bad credentials".
        var nobody = await new Authenticator([down, new Told("none", AuthResult.Ignored)], false, fallThroughWhenDown: true).AuthenticateAsync(Named, default);
        Assert.Equal(ReasonCode.ServerUnavailable, nobody.Refusal.Reason);
    }

    [Fact]
    public async Task A_source_that_throws_counts_as_down()
    {
        var decision = await new Authenticator([new Throws()], true, false).AuthenticateAsync(Named, default);
        Assert.Equal(ReasonCode.ServerUnavailable, decision.Refusal.Reason);
        Assert.Contains("broken", decision.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task When_every_source_ignores_an_anonymous_client_follows_AllowAnonymous_and_a_named_one_is_refused()
    {
        var ignore = new Told("s", AuthResult.Ignored);
        Assert.True((await new Authenticator([ignore], true, false).AuthenticateAsync(Anonymous, default)).Allowed);
        Assert.Equal(ReasonCode.NotAuthorized, (await new Authenticator([ignore], false, false).AuthenticateAsync(Anonymous, default)).Refusal.Reason);
        Assert.Equal(ReasonCode.BadUserNameOrPassword, (await new Authenticator([ignore], true, false).AuthenticateAsync(Named, default)).Refusal.Reason);
    }

    private sealed class Told(string name, AuthResult result) : IAuthSource
    {
        public int Asked { get; private set; }

        public string Name => name;

        public ValueTask<AuthResult> AuthenticateAsync(AuthRequest request, CancellationToken cancellationToken)
        {
            Asked++;
            return ValueTask.FromResult(result);
        }
    }

    private sealed class Throws : IAuthSource
    {
        public string Name => "throws";

        public ValueTask<AuthResult> AuthenticateAsync(AuthRequest request, CancellationToken cancellationToken) =>
            throw new InvalidOperationException("broken");
    }
}
