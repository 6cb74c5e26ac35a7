using System.Security.Cryptography;
using System.Text;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using RobustMq.Gateway.Security.Authentication;

namespace RobustMq.Gateway.Tests.Security.Authentication;

/// <summary>Tokens made with Microsoft.IdentityModel.JsonWebTokens, as a token service would make them.</summary>
public sealed class JwtAuthSourceTests
{
    private const string Secret = "a-shared-secret-of-at-least-32-bytes!";

    private static string Token(string secret = Secret, DateTime? expires = null, IDictionary<string, object>? claims = null, string? issuer = null)
    {
        var descriptor = new SecurityTokenDescriptor
        {
            SigningCredentials = new SigningCredentials(new SymmetricSecurityKey(Encoding.UTF8.GetBytes(secret)), SecurityAlgorithms.HmacSha256),
            Expires = expires ?? DateTime.UtcNow.AddMinutes(5),
            NotBefore = (expires ?? DateTime.UtcNow.AddMinutes(5)).AddMinutes(-10),
            IssuedAt = (expires ?? DateTime.UtcNow.AddMinutes(5)).AddMinutes(-10),
            Claims = claims,
            Issuer = issuer,
        };
        return new JsonWebTokenHandler().CreateToken(descriptor);
    }

    private static ValueTask<AuthResult> Ask(JwtAuthSource source, string? password, string clientId = "c1", string? user = "u1") =>
        source.AuthenticateAsync(new AuthRequest(clientId, user, password is null ? null : Encoding.UTF8.GetBytes(password), null, 5), default);

    private static JwtAuthSource Source(string? issuer = null) => new(new JwtAuthOptions { Secret = Secret, Issuer = issuer });

    [Fact]
    public async Task A_signed_token_in_force_is_allowed_and_its_superuser_claim_counts()
    {
        Assert.Equal(AuthOutcome.Allow, (await Ask(Source(), Token())).Outcome);
        var super = await Ask(Source(), Token(claims: new Dictionary<string, object> { ["is_superuser"] = true }));
        Assert.True(super.Superuser);
    }

    [Fact]
    public async Task A_token_signed_with_another_key_expired_or_from_another_issuer_is_denied()
    {
        Assert.Equal(AuthOutcome.Deny, (await Ask(Source(), Token(secret: "another-secret-of-at-least-32-bytes!!"))).Outcome);
        Assert.Equal(AuthOutcome.Deny, (await Ask(Source(), Token(expires: DateTime.UtcNow.AddMinutes(-5)))).Outcome);
        Assert.Equal(AuthOutcome.Deny, (await Ask(Source(issuer: "robustmq"), Token(issuer: "someone-else"))).Outcome);
        Assert.Equal(AuthOutcome.Allow, (await Ask(Source(issuer: "robustmq"), Token(issuer: "robustmq"))).Outcome);
    }

    [Fact]
    public async Task A_token_for_another_client_id_or_user_name_is_denied()
    {
        var mine = Token(claims: new Dictionary<string, object> { ["clientid"] = "c1", ["username"] = "u1" });
        Assert.Equal(AuthOutcome.Allow, (await Ask(Source(), mine)).Outcome);
        Assert.Equal(AuthOutcome.Deny, (await Ask(Source(), mine, clientId: "c2")).Outcome);
        Assert.Equal(AuthOutcome.Deny, (await Ask(Source(), mine, user: "u2")).Outcome);
    }

    [Fact]
    public async Task A_token_with_alg_none_is_denied()
    {
        // {"alg":"none"} with an empty signature is not a compact JWS this source accepts.
        var header = Base64UrlEncoder.Encode("{\"alg\":\"none\",\"typ\":\"JWT\"}");
        var payload = Base64UrlEncoder.Encode($"{{\"exp\":{DateTimeOffset.UtcNow.AddMinutes(5).ToUnixTimeSeconds()}}}");
        Assert.NotEqual(AuthOutcome.Allow, (await Ask(Source(), $"{header}.{payload}.")).Outcome);
        Assert.Equal(AuthOutcome.Deny, (await Ask(Source(), $"{header}.{payload}.{Base64UrlEncoder.Encode("x")}")).Outcome);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("plain password")]
    [InlineData("a.b")]
    [InlineData("a..c")]
    public async Task A_password_that_is_not_a_token_is_left_to_the_next_source(string? password)
    {
        Assert.Equal(AuthOutcome.Ignore, (await Ask(Source(), password)).Outcome);
    }

    [Fact]
    public void A_source_without_a_key_cannot_be_made()
    {
        Assert.Throws<ArgumentException>(() => new JwtAuthSource(new JwtAuthOptions()));
        using var rsa = RSA.Create(2048);
        var file = Path.GetTempFileName();
        try
        {
            File.WriteAllText(file, rsa.ExportSubjectPublicKeyInfoPem());
            _ = new JwtAuthSource(new JwtAuthOptions { PublicKeyFile = file });
        }
        finally
        {
            File.Delete(file);
        }
    }
}
