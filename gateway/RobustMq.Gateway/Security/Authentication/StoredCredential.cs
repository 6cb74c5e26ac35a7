using System.Security.Cryptography;
using System.Text;

namespace RobustMq.Gateway.Security.Authentication;

/// <summary>
/// A user's credential as an external store keeps it (a SQL row, a Redis hash): the password hash as hexadecimal text
/// (or the password itself with <c>plain</c>), its salt as text, the hash algorithm when the store names it per user,
/// and whether the user is a superuser.
/// </summary>
public sealed record StoredCredential(string PasswordHash, string? Salt, string? Algorithm, bool Superuser);

/// <summary>
/// How the passwords of an external store are hashed (<c>Auth:Postgres</c>, <c>Auth:MySql</c>, <c>Auth:Redis</c>), in
/// EMQX's terms: <c>PasswordHash</c> <c>plain</c>, <c>sha256</c>, <c>sha512</c> (hex of the hash of the salt and the
/// password, the salt before or after it: <c>SaltPosition</c> <c>prefix</c> or <c>suffix</c>) or <c>pbkdf2-sha256</c>
/// (hex of PBKDF2-HMAC-SHA-256 of the password with the salt's UTF-8 bytes, <c>Pbkdf2Iterations</c> iterations,
/// 32 bytes). A row's own algorithm, when the store gives one, wins over the configured one.
/// </summary>
public class PasswordHashOptions
{
    /// <summary>The algorithm names <c>PasswordHash</c> may hold.</summary>
    public static readonly IReadOnlyList<string> Algorithms = ["plain", "sha256", "sha512", "pbkdf2-sha256"];

    public string PasswordHash { get; set; } = "sha256";

    /// <summary><c>prefix</c> (salt then password, the default) or <c>suffix</c>.</summary>
    public string SaltPosition { get; set; } = "prefix";

    public int Pbkdf2Iterations { get; set; } = 10_000;

    /// <summary>
    /// Whether <paramref name="password"/> (the CONNECT's Password bytes) is <paramref name="credential"/>'s; compared in
    /// constant time. False for an algorithm it does not know (which <paramref name="unknown"/> then names).
    /// </summary>
    public bool Verify(StoredCredential credential, ReadOnlySpan<byte> password, out string? unknown)
    {
        ArgumentNullException.ThrowIfNull(credential);
        unknown = null;
        var algorithm = (string.IsNullOrWhiteSpace(credential.Algorithm) ? PasswordHash : credential.Algorithm).Trim().ToLowerInvariant();
        var salt = Encoding.UTF8.GetBytes(credential.Salt ?? "");
        byte[] computed;
        switch (algorithm)
        {
            case "plain":
                return CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(credential.PasswordHash), password);
            case "sha256":
                computed = SHA256.HashData(Salted(salt, password));
                break;
            case "sha512":
                computed = SHA512.HashData(Salted(salt, password));
                break;
            case "pbkdf2-sha256":
                computed = Rfc2898DeriveBytes.Pbkdf2(password, salt, Pbkdf2Iterations, HashAlgorithmName.SHA256, 32);
                break;
            default:
                unknown = algorithm;
                return false;
        }

        byte[] stored;
        try
        {
            stored = Convert.FromHexString(credential.PasswordHash.Trim());
        }
        catch (FormatException)
        {
            return false;
        }

        return CryptographicOperations.FixedTimeEquals(computed, stored);
    }

    /// <summary>What is wrong with these options, each naming its key under <paramref name="section"/>.</summary>
    public IEnumerable<string> Problems(string section)
    {
        if (!Algorithms.Contains(PasswordHash.ToLowerInvariant()))
        {
            yield return $"{section}:PasswordHash must be one of {string.Join(", ", Algorithms)} (got '{PasswordHash}')";
        }

        if (SaltPosition.ToLowerInvariant() is not ("prefix" or "suffix"))
        {
            yield return $"{section}:SaltPosition must be prefix or suffix (got '{SaltPosition}')";
        }

        if (Pbkdf2Iterations is < 1 or > Authentication.PasswordHash.MaxIterations)
        {
            yield return $"{section}:Pbkdf2Iterations must be 1-{Authentication.PasswordHash.MaxIterations} (got {Pbkdf2Iterations})";
        }
    }

    private byte[] Salted(byte[] salt, ReadOnlySpan<byte> password)
    {
        var salted = new byte[salt.Length + password.Length];
        if (SaltPosition.Equals("suffix", StringComparison.OrdinalIgnoreCase))
        {
            password.CopyTo(salted);
            salt.CopyTo(salted, password.Length);
        }
        else
        {
            salt.CopyTo(salted, 0);
            password.CopyTo(salted.AsSpan(salt.Length));
        }

        return salted;
    }
}
