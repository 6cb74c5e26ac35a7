using System.Security.Cryptography;
using System.Text;
using RobustMq.Gateway.Security.Authentication;

namespace RobustMq.Gateway.Tests.Security.Authentication;

public sealed class ScramSha256Tests
{
    // RFC 7677 section 3: user "user", password "pencil".
    private const string RfcClientFirst = "n,,n=user,r=rOprNGfwEbeRWgbNEkqO";
    private const string RfcServerNonce = "%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0";
    private const string RfcServerFirst = "r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096";
    private const string RfcClientFinal = "c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=";
    private const string RfcServerFinal = "v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=";

    private static readonly byte[] RfcSalt = Convert.FromBase64String("W22ZaJ0SNY7soEsUEjb6gQ==");

    /// <summary>The RFC's user as the built-in store keeps it: PBKDF2-HMAC-SHA-256 of the password, 32 bytes.</summary>
    private static UserRecord RfcUser(string password = "pencil") =>
        new("user", PasswordHash.Algorithm, 4096, RfcSalt, Rfc2898DeriveBytes.Pbkdf2(Encoding.UTF8.GetBytes(password), RfcSalt, 4096, HashAlgorithmName.SHA256, 32), false);

    private static ScramSha256 Start(string clientFirst, UserRecord user, string serverNonce = RfcServerNonce)
    {
        Assert.True(ScramClientFirst.TryParse(Encoding.UTF8.GetBytes(clientFirst), out var first, out var failure), failure.Detail);
        return new ScramSha256(first, ScramCredential.FromUser(user)!, serverNonce);
    }

    private static string Text(byte[] bytes) => Encoding.UTF8.GetString(bytes);

    [Fact]
    public void The_RFC_7677_exchange_gives_its_server_first_and_server_final_messages_from_a_stored_user()
    {
        var scram = Start(RfcClientFirst, RfcUser());

        Assert.Equal(RfcServerFirst, Text(scram.ServerFirst));
        var outcome = scram.Finish(Encoding.UTF8.GetBytes(RfcClientFinal));

        Assert.True(outcome.Succeeded, outcome.Detail);
        Assert.Equal(RfcServerFinal, Text(outcome.Message));
    }

    [Fact]
    public void The_RFC_7677_client_final_message_fails_against_another_password_with_invalid_proof()
    {
        var scram = Start(RfcClientFirst, RfcUser("pencil2"));
        var outcome = scram.Finish(Encoding.UTF8.GetBytes(RfcClientFinal));

        Assert.False(outcome.Succeeded);
        Assert.Equal("e=invalid-proof", Text(outcome.Message));
    }

    [Fact]
    public void A_test_client_with_the_right_password_verifies_and_checks_the_server_signature()
    {
        var client = new TestScramClient("user", "pencil");
        var scram = Start(client.First, RfcUser(), ScramSha256.NewNonce());
        var final = client.Final(Text(scram.ServerFirst));
        var outcome = scram.Finish(Encoding.UTF8.GetBytes(final));

        Assert.True(outcome.Succeeded, outcome.Detail);
        Assert.True(client.VerifyServerFinal(Text(outcome.Message)));
    }

    [Fact]
    public void A_test_client_with_a_wrong_password_fails_with_invalid_proof()
    {
        var client = new TestScramClient("user", "pencil!");
        var scram = Start(client.First, RfcUser(), ScramSha256.NewNonce());
        var outcome = scram.Finish(Encoding.UTF8.GetBytes(client.Final(Text(scram.ServerFirst))));

        Assert.False(outcome.Succeeded);
        Assert.Equal("e=invalid-proof", Text(outcome.Message));
    }

    [Fact]
    public void A_tampered_nonce_in_the_client_final_message_fails()
    {
        var scram = Start(RfcClientFirst, RfcUser());
        var outcome = scram.Finish(Encoding.UTF8.GetBytes(RfcClientFinal.Replace("$k0,", "$k1,", StringComparison.Ordinal)));

        Assert.False(outcome.Succeeded);
        Assert.Equal("e=other-error", Text(outcome.Message));
    }

    [Fact]
    public void A_channel_binding_that_is_not_the_GS2_header_fails()
    {
        var scram = Start(RfcClientFirst, RfcUser());
        // eSws is "y,,": the header of another first message.
        var outcome = scram.Finish(Encoding.UTF8.GetBytes(RfcClientFinal.Replace("c=biws", "c=eSws", StringComparison.Ordinal)));

        Assert.Equal("e=channel-bindings-dont-match", Text(outcome.Message));
    }

    [Fact]
    public void A_y_GS2_header_is_accepted_and_bound_as_sent()
    {
        var client = new TestScramClient("user", "pencil", gs2Header: "y,,");
        var scram = Start(client.First, RfcUser(), ScramSha256.NewNonce());
        var outcome = scram.Finish(Encoding.UTF8.GetBytes(client.Final(Text(scram.ServerFirst))));

        Assert.True(outcome.Succeeded, outcome.Detail);
    }

    [Fact]
    public void An_exchange_finishes_once()
    {
        var scram = Start(RfcClientFirst, RfcUser());
        scram.Finish(Encoding.UTF8.GetBytes(RfcClientFinal));

        Assert.Throws<InvalidOperationException>(() => scram.Finish(Encoding.UTF8.GetBytes(RfcClientFinal)));
    }

    [Theory]
    [InlineData("c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0", "invalid-encoding")]
    [InlineData("r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=", "invalid-encoding")]
    [InlineData("c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,p=not*base64", "invalid-proof")]
    [InlineData("c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,p=AAAA", "invalid-proof")]
    [InlineData("c=!!,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=", "channel-bindings-dont-match")]
    public void A_badly_formed_client_final_message_fails_with_its_error(string clientFinal, string error)
    {
        var outcome = Start(RfcClientFirst, RfcUser()).Finish(Encoding.UTF8.GetBytes(clientFinal));

        Assert.False(outcome.Succeeded);
        Assert.Equal("e=" + error, Text(outcome.Message));
    }

    [Theory]
    [InlineData("p=tls-unique,,n=user,r=abc", "channel-binding-not-supported")]
    [InlineData("n,a=admin,n=user,r=abc", "other-error")]
    [InlineData("x,,n=user,r=abc", "invalid-encoding")]
    [InlineData("n,,m=ext,n=user,r=abc", "extensions-not-supported")]
    [InlineData("n,,n=us=er,r=abc", "invalid-username-encoding")]
    [InlineData("n,,n=,r=abc", "invalid-username-encoding")]
    [InlineData("n,,n=user", "invalid-encoding")]
    [InlineData("n,,r=abc,n=user", "invalid-encoding")]
    [InlineData("n,,n=user,r=", "invalid-encoding")]
    [InlineData("n,,n=user,r=a b", "invalid-encoding")]
    [InlineData("n,", "invalid-encoding")]
    [InlineData("", "invalid-encoding")]
    public void A_badly_formed_client_first_message_is_refused_with_its_error(string clientFirst, string error)
    {
        Assert.False(ScramClientFirst.TryParse(Encoding.UTF8.GetBytes(clientFirst), out _, out var failure));
        Assert.Equal("e=" + error, Text(failure.Message));
    }

    [Fact]
    public void A_client_first_message_that_is_not_UTF8_is_refused()
    {
        Assert.False(ScramClientFirst.TryParse([(byte)'n', (byte)',', (byte)',', 0xC3, 0x28], out _, out var failure));
        Assert.Equal("e=invalid-encoding", Text(failure.Message));
    }

    [Theory]
    [InlineData("a=2Cb=3Dc", "a,b=c")]
    [InlineData("=2C=3D", ",=")]
    [InlineData("plain", "plain")]
    [InlineData("ünïcode", "ünïcode")]
    public void A_saslname_is_unescaped_and_escapes_back(string saslName, string userName)
    {
        Assert.Equal(userName, ScramClientFirst.UnescapeSaslName(saslName));
        Assert.Equal(saslName, ScramClientFirst.EscapeSaslName(userName));
    }

    [Theory]
    [InlineData("a=2")]
    [InlineData("a=2D")]
    [InlineData("a=")]
    [InlineData("a\0b")]
    public void A_saslname_with_another_escape_is_not_one(string saslName)
    {
        Assert.Null(ScramClientFirst.UnescapeSaslName(saslName));
    }

    [Fact]
    public void The_user_name_and_extensions_of_the_client_first_message_are_read()
    {
        Assert.True(ScramClientFirst.TryParse("n,,n=a=2Cb,r=xyz,q=ext"u8, out var first, out _));

        Assert.Equal("a,b", first.UserName);
        Assert.Equal("xyz", first.ClientNonce);
        Assert.Equal("n,,", first.Gs2Header);
        Assert.Equal("n=a=2Cb,r=xyz,q=ext", first.Bare);
    }

    [Fact]
    public void A_decoy_credential_has_the_same_salt_for_the_same_name_under_one_secret_and_fails_at_the_proof()
    {
        var secret = RandomNumberGenerator.GetBytes(32);
        var a = ScramCredential.Decoy("nobody", secret, 4096);
        var b = ScramCredential.Decoy("nobody", secret, 4096);
        Assert.Equal(a.Salt, b.Salt);
        Assert.Equal(16, a.Salt.Length);
        Assert.NotEqual(a.Salt, ScramCredential.Decoy("somebody", secret, 4096).Salt);
        Assert.NotEqual(a.Salt, ScramCredential.Decoy("nobody", RandomNumberGenerator.GetBytes(32), 4096).Salt);

        var client = new TestScramClient("nobody", "pencil");
        Assert.True(ScramClientFirst.TryParse(Encoding.UTF8.GetBytes(client.First), out var first, out _));
        var scram = new ScramSha256(first, a, ScramSha256.NewNonce());
        Assert.Equal("e=invalid-proof", Text(scram.Finish(Encoding.UTF8.GetBytes(client.Final(Text(scram.ServerFirst)))).Message));
    }

    [Fact]
    public void A_server_nonce_with_a_comma_is_refused()
    {
        Assert.True(ScramClientFirst.TryParse(Encoding.UTF8.GetBytes(RfcClientFirst), out var first, out _));
        Assert.Throws<ArgumentException>(() => new ScramSha256(first, ScramCredential.FromUser(RfcUser())!, "a,b"));
    }

    [Fact]
    public void A_stored_hash_that_is_not_32_bytes_has_no_SCRAM_credential()
    {
        var user = RfcUser() with { Hash = new byte[64] };

        Assert.Null(ScramCredential.FromUser(user));
    }
}
