using System.Security.Cryptography;
using System.Text;
using RobustMq.Gateway.Security.Authentication;

namespace RobustMq.Gateway.Tests.Security.Authentication;

/// <summary>The hashes of the database sources (Auth:Postgres, Auth:MySql, Auth:Redis), as EMQX stores them.</summary>
public sealed class StoredCredentialTests
{
    private static string Hex(byte[] hash) => Convert.ToHexStringLower(hash);

    [Theory]
    [InlineData("sha256", "prefix")]
    [InlineData("SHA256", "PREFIX")]
    [InlineData("sha512", "suffix")]
    public void A_salted_hash_verifies_its_password_and_no_other(string algorithm, string position)
    {
        var options = new PasswordHashOptions { PasswordHash = algorithm, SaltPosition = position };
        var salted = position.Equals("suffix", StringComparison.OrdinalIgnoreCase) ? "secret" + "s4lt" : "s4lt" + "secret";
        var hash = algorithm.Equals("sha512", StringComparison.OrdinalIgnoreCase)
            ? SHA512.HashData(Encoding.UTF8.GetBytes(salted))
            : SHA256.HashData(Encoding.UTF8.GetBytes(salted));
        var credential = new StoredCredential(" " + Hex(hash).ToUpperInvariant() + " ", "s4lt", null, false);

        Assert.True(options.Verify(credential, "secret"u8, out var unknown));
        Assert.Null(unknown);
        Assert.False(options.Verify(credential, "Secret"u8, out _));
        Assert.Empty(options.Problems("Auth:Redis"));
    }

    [Fact]
    public void A_rows_own_algorithm_wins_and_an_unknown_one_is_named()
    {
        var options = new PasswordHashOptions { PasswordHash = "sha256", Pbkdf2Iterations = 1000 };
        var pbkdf2 = new StoredCredential(Hex(Rfc2898DeriveBytes.Pbkdf2("pw"u8, "salt"u8, 1000, HashAlgorithmName.SHA256, 32)), "salt", "PBKDF2-SHA256 ", false);

        Assert.True(options.Verify(pbkdf2, "pw"u8, out _));
        Assert.True(options.Verify(new StoredCredential("pw", null, "plain", false), "pw"u8, out _));
        Assert.False(options.Verify(new StoredCredential("pw", null, "md5", false), "pw"u8, out var unknown));
        Assert.Equal("md5", unknown);
        Assert.False(options.Verify(new StoredCredential("not hex", null, null, false), "pw"u8, out _));
    }
}
