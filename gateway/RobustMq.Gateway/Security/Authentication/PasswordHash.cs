using System.Security.Cryptography;

namespace RobustMq.Gateway.Security.Authentication;

/// <summary>
/// A salted password hash of the built-in user store: PBKDF2 with HMAC-SHA-256 (RFC 8018, section 5.2), a 16-byte
/// random salt and a 32-byte derived key. The iteration count is stored with each hash, so changing
/// <c>Auth:BuiltIn:Iterations</c> affects passwords set from then on.
/// </summary>
/// <param name="Iterations">PBKDF2 iterations (at least 1,000).</param>
/// <param name="Salt">The random salt (16 bytes when made here).</param>
/// <param name="Hash">The derived key (32 bytes).</param>
public sealed record PasswordHash(int Iterations, byte[] Salt, byte[] Hash)
{
    /// <summary>The algorithm name stored with each user.</summary>
    public const string Algorithm = "pbkdf2-sha256";

    /// <summary>The fewest iterations a stored hash may have.</summary>
    public const int MinIterations = 1_000;

    /// <summary>The most iterations <c>Auth:BuiltIn:Iterations</c> may ask for (about 4 s of one core here).</summary>
    public const int MaxIterations = 10_000_000;

    private const int SaltBytes = 16;
    private const int HashBytes = 32;

    /// <summary>Hashes <paramref name="password"/> (the CONNECT Password field's bytes) with a new random salt.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="iterations"/> is below <see cref="MinIterations"/>.</exception>
    public static PasswordHash Create(ReadOnlySpan<byte> password, int iterations)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(iterations, MinIterations);
        var salt = RandomNumberGenerator.GetBytes(SaltBytes);
        return new PasswordHash(iterations, salt, Rfc2898DeriveBytes.Pbkdf2(password, salt, iterations, HashAlgorithmName.SHA256, HashBytes));
    }

    /// <summary>Whether <paramref name="password"/> is the password hashed here; compared in constant time.</summary>
    public bool Verify(ReadOnlySpan<byte> password)
    {
        Span<byte> derived = stackalloc byte[HashBytes];
        if (Hash.Length != HashBytes)
        {
            return false;
        }

        Rfc2898DeriveBytes.Pbkdf2(password, Salt, derived, Iterations, HashAlgorithmName.SHA256);
        return CryptographicOperations.FixedTimeEquals(derived, Hash);
    }
}
