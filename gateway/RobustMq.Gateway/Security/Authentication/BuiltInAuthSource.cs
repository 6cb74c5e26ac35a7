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
/// would spend seconds of CPU on it; it runs on the thread pool, at most one per core at once. A node remembers the last password it verified per user as an HMAC-SHA-256 under
/// a key of its own, made at start and never stored, next to the stored hash it was checked against: the same password
/// against the same stored hash is let in without PBKDF2; a changed or deleted user is read from the store on every
/// CONNECT, so a change applies at once. (Whoever can read the process's memory can test guesses against that HMAC
/// faster than against PBKDF2: keep core dumps of the broker off.)
/// </remarks>
public sealed class BuiltInAuthSource : IAuthSource
{
    /// <summary>The most users whose verified password a node remembers.</summary>
    public const int VerifiedCacheSize = 100_000;

    private readonly IUserStore _store;
    private readonly byte[] _cacheKey = RandomNumberGenerator.GetBytes(32);
    private readonly ConcurrentDictionary<string, Verified> _verified = new(StringComparer.Ordinal);

    /// <summary>Hashed at start with the configured iterations: an unknown user's password is checked against it, so an unknown and a known user take as long.</summary>
    private readonly PasswordHash _decoy;

    /// <summary>PBKDF2 runs on the thread pool, as many at once as there are cores: never on a socket event thread, and brute force cannot take more.</summary>
    private readonly SemaphoreSlim _hashing = new(Environment.ProcessorCount, Environment.ProcessorCount);

    /// <param name="store">The users.</param>
    /// <param name="iterations">The PBKDF2 iterations of new passwords (<c>Auth:BuiltIn:Iterations</c>), for the decoy.</param>
    public BuiltInAuthSource(IUserStore store, int iterations)
    {
        _store = store;
        _decoy = PasswordHash.Create("decoy"u8, Math.Max(iterations, PasswordHash.MinIterations));
    }

    public string Name => "builtin";

    /// <summary>How many passwords were verified with PBKDF2 (a remembered one is not counted).</summary>
    public long HashesComputed => Interlocked.Read(ref _hashesComputed);

    private long _hashesComputed;

    public async ValueTask<AuthResult> AuthenticateAsync(AuthRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (request.UserName is not { Length: > 0 } userName)
        {
            // No User Name, or an empty one (MQTT allows it): no stored user has it.
            return AuthResult.Ignored;
        }

        UserRecord? user;
        try
        {
            user = await _store.GetAsync(userName, cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            return AuthResult.Down("the built-in user store cannot be read: " + ex.Message);
        }

        var password = request.Password ?? ReadOnlyMemory<byte>.Empty;
        if (user?.Password is not { } hash)
        {
            // As long as a wrong password of a known user takes: the answer's time does not tell which names exist.
            await VerifyAsync(_decoy, password, cancellationToken);
            return user is null ? AuthResult.Ignored : AuthResult.Denied("the stored password uses an unknown algorithm");
        }

        if (request.Password is null)
        {
            await VerifyAsync(_decoy, password, cancellationToken);
            return AuthResult.Denied("no password");
        }

        var mac = HMACSHA256.HashData(_cacheKey, password.Span);
        if (_verified.TryGetValue(userName, out var known) && known.StoredHash.AsSpan().SequenceEqual(hash.Hash) && CryptographicOperations.FixedTimeEquals(known.Mac, mac))
        {
            return AuthResult.Allowed(user.Superuser);
        }

        if (!await VerifyAsync(hash, password, cancellationToken))
        {
            return AuthResult.Denied("wrong password");
        }

        if (_verified.Count >= VerifiedCacheSize)
        {
            // One out for one in: the others stay remembered.
            foreach (var pair in _verified)
            {
                _verified.TryRemove(pair.Key, out _);
                break;
            }
        }

        _verified[userName] = new Verified(hash.Hash, mac);
        return AuthResult.Allowed(user.Superuser);
    }

    private async Task<bool> VerifyAsync(PasswordHash hash, ReadOnlyMemory<byte> password, CancellationToken cancellationToken)
    {
        await _hashing.WaitAsync(cancellationToken);
        try
        {
            Interlocked.Increment(ref _hashesComputed);
            return await Task.Run(() => hash.Verify(password.Span), cancellationToken);
        }
        finally
        {
            _hashing.Release();
        }
    }

    private sealed record Verified(byte[] StoredHash, byte[] Mac);
}
