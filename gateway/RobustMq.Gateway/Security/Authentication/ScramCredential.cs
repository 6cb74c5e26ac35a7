using System.Security.Cryptography;
using System.Text;

namespace RobustMq.Gateway.Security.Authentication;

/// <summary>
/// What a SCRAM-SHA-256 server keeps of a password (RFC 5802 section 3): the salt and iteration count it tells the
/// client, StoredKey = H(ClientKey) to verify the proof, and ServerKey to sign its answer.
/// </summary>
/// <param name="Salt">The salt (<c>s=</c>).</param>
/// <param name="Iterations">The iteration count (<c>i=</c>).</param>
/// <param name="StoredKey">SHA-256(HMAC(SaltedPassword, "Client Key")).</param>
/// <param name="ServerKey">HMAC(SaltedPassword, "Server Key").</param>
public sealed record ScramCredential(byte[] Salt, int Iterations, byte[] StoredKey, byte[] ServerKey)
{
    private const int KeyBytes = 32;

    /// <summary>
    /// The keys of <paramref name="saltedPassword"/>, SCRAM's SaltedPassword = Hi(password, salt, i): Hi is PBKDF2 with
    /// HMAC-SHA-256 and a derived key as long as the hash (RFC 5802 section 2.2), so it is exactly a 32-byte
    /// <see cref="PasswordHash"/> of the built-in store.
    /// </summary>
    public static ScramCredential FromSaltedPassword(byte[] salt, int iterations, ReadOnlySpan<byte> saltedPassword)
    {
        ArgumentNullException.ThrowIfNull(salt);
        Span<byte> clientKey = stackalloc byte[KeyBytes];
        HMACSHA256.HashData(saltedPassword, "Client Key"u8, clientKey);
        return new ScramCredential(salt, iterations, SHA256.HashData(clientKey), HMACSHA256.HashData(saltedPassword, "Server Key"u8));
    }

    /// <summary>
    /// The credential of a built-in store user, or null when its stored hash is not one SCRAM-SHA-256 can use (another
    /// algorithm, or not 32 bytes). The stored PBKDF2-HMAC-SHA-256 hash of the password's bytes is SaltedPassword
    /// itself, so a user made for CONNECT passwords signs in with SCRAM too, no second secret stored.
    /// </summary>
    public static ScramCredential? FromUser(UserRecord user)
    {
        ArgumentNullException.ThrowIfNull(user);
        return user.Password is { Hash.Length: KeyBytes } hash ? FromSaltedPassword(hash.Salt, hash.Iterations, hash.Hash) : null;
    }

    /// <summary>
    /// A credential for a user the store does not have: a salt that is the same for the same name every time (an HMAC
    /// of the name under <paramref name="secret"/>), <paramref name="iterations"/> like a user made now, and a StoredKey
    /// nobody knows a preimage of, so the exchange goes on as for a known user and fails at the proof. Whoever asks
    /// twice cannot tell a missing name from a real one by a salt that changes.
    /// </summary>
    public static ScramCredential Decoy(string userName, ReadOnlySpan<byte> secret, int iterations)
    {
        ArgumentNullException.ThrowIfNull(userName);
        var name = Encoding.UTF8.GetBytes(userName);
        var salt = HMACSHA256.HashData(secret, [.. "salt:"u8, .. name])[..16];
        return new ScramCredential(salt, iterations, HMACSHA256.HashData(secret, [.. "stored:"u8, .. name]), HMACSHA256.HashData(secret, [.. "server:"u8, .. name]));
    }
}
