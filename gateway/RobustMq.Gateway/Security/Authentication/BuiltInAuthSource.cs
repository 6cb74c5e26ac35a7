using System.Collections.Concurrent;
using System.Security.Cryptography;

namespace RobustMq.Gateway.Security.Authentication;

/// <summary>
/// The built-in user store as an authentication source (<c>builtin</c> in <c>Auth:Sources</c>): a client whose User
/// Name is a stored user is allowed when its Password matches (<see cref="PasswordHash"/>) and denied otherwise; one
/// without a User Name, or with one the store does not have, is ignored (the next source is asked).
/// </summary>
/// <remarks>
/// PBKDF2 is slow on purpose (about 4 ms for 10,000 iterations on one core here), so a reconnect storm of known users
/// would spend seconds of CPU on it. A node remembers the last password it verified per user as an HMAC-SHA-256 under
/// a key of its own, made at start and never stored, next to the stored hash it was checked against: the same password
/// against the same stored hash is let in without PBKDF2; a changed or deleted user is read from the store on every
/// CONNECT, so a change applies at once.
/// </remarks>
public sealed class BuiltInAuthSource(IUserStore store) : IAuthSource
{
    /// <summary>The most users whose verified password a node remembers.</summary>
    public const int VerifiedCacheSize = 100_000;

    private readonly byte[] _cacheKey = RandomNumberGenerator.GetBytes(32);
    private readonly ConcurrentDictionary<string, Verified> _verified = new(StringComparer.Ordinal);

    public string Name => "builtin";

    public async ValueTask<AuthResult> AuthenticateAsync(AuthRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (request.UserName is not { } userName)
        {
            return AuthResult.Ignored;
        }

        UserRecord? user;
        try
        {
            user = await store.GetAsync(userName, cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            return AuthResult.Down("the built-in user store cannot be read: " + ex.Message);
        }

        if (user is null)
        {
            return AuthResult.Ignored;
        }

        if (user.Password is not { } hash || request.Password is not { } password)
        {
            return AuthResult.Denied(user.Password is null ? "the stored password uses an unknown algorithm" : "no password");
        }

        var mac = HMACSHA256.HashData(_cacheKey, password.Span);
        if (_verified.TryGetValue(userName, out var known) && known.StoredHash.AsSpan().SequenceEqual(hash.Hash) && CryptographicOperations.FixedTimeEquals(known.Mac, mac))
        {
            return AuthResult.Allowed(user.Superuser);
        }

        if (!hash.Verify(password.Span))
        {
            return AuthResult.Denied("wrong password");
        }

        if (_verified.Count >= VerifiedCacheSize)
        {
            _verified.Clear();
        }

        _verified[userName] = new Verified(hash.Hash, mac);
        return AuthResult.Allowed(user.Superuser);
    }

    private sealed record Verified(byte[] StoredHash, byte[] Mac);
}
