using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using RobustMq.Grains.Storage;
using RobustMq.Silo.Hosting;
using RobustMq.Storage;

namespace RobustMq.Silo.Admin;

/// <summary>
/// The admin API's login tokens: JWTs signed with HS256, issuer <c>robustmq-admin</c>, subject the account, claim
/// <c>role</c>, valid <c>Admin:TokenTtlMinutes</c>. The key is <c>Admin:JwtSecret</c>, or else a key ring kept in
/// <c>Storage:Default</c> (keyed space <see cref="Space"/>, keys <c>jwt/{id}</c>): the first node that needs a key and
/// finds none stores one; tokens are signed with the ring's first key by id and taken with any of its keys, so nodes
/// that made one each at the same moment end up taking each other's tokens once they read the ring again (when a token
/// fails, at most every 5 s).
/// </summary>
public sealed class AdminTokens(StorageEngines storage, IOptions<AdminOptions> options, TimeProvider clock)
{
    public const string Space = "admin_keys";
    private const string KeyPrefix = "jwt/";
    private const string Issuer = "robustmq-admin";
    private static readonly TimeSpan ReloadEvery = TimeSpan.FromSeconds(5);

    private readonly JsonWebTokenHandler _handler = new() { MapInboundClaims = false };
    private readonly SemaphoreSlim _loading = new(1, 1);
    private SymmetricSecurityKey[]? _ring;
    private long _reloadedAt;

    /// <summary>A token for <paramref name="name"/> with <paramref name="role"/>, and when it ends.</summary>
    public async Task<(string Token, DateTimeOffset Expires)> IssueAsync(string name, string role, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        var expires = now.AddMinutes(options.Value.TokenTtlMinutes);
        var token = _handler.CreateToken(new SecurityTokenDescriptor
        {
            Issuer = Issuer,
            Subject = new System.Security.Claims.ClaimsIdentity([new("sub", name), new("role", role)]),
            IssuedAt = now.UtcDateTime,
            NotBefore = now.UtcDateTime,
            Expires = expires.UtcDateTime,
            SigningCredentials = new SigningCredentials((await RingAsync(reload: false, cancellationToken))[0], SecurityAlgorithms.HmacSha256),
        });
        return (token, expires);
    }

    /// <summary>The account and role a valid token names, or null.</summary>
    public async Task<(string Name, string Role)?> ValidateAsync(string token, CancellationToken cancellationToken)
    {
        var result = await ValidateWithAsync(token, await RingAsync(reload: false, cancellationToken));
        if (!result.IsValid && result.Exception is SecurityTokenSignatureKeyNotFoundException or SecurityTokenInvalidSignatureException && MayReload())
        {
            // Another node may have stored a key of its own at the same moment: read the ring again.
            result = await ValidateWithAsync(token, await RingAsync(reload: true, cancellationToken));
        }

        return result.IsValid && result.Claims.TryGetValue("sub", out var sub) && result.Claims.TryGetValue("role", out var role)
            ? ((string)sub, (string)role)
            : null;
    }

    /// <summary>True at most once every <see cref="ReloadEvery"/> (the time is taken only when it is true).</summary>
    private bool MayReload()
    {
        var last = Interlocked.Read(ref _reloadedAt);
        return clock.GetElapsedTime(last) > ReloadEvery && Interlocked.CompareExchange(ref _reloadedAt, clock.GetTimestamp(), last) == last;
    }

    private Task<TokenValidationResult> ValidateWithAsync(string token, SymmetricSecurityKey[] ring) => _handler.ValidateTokenAsync(token, new TokenValidationParameters
    {
        ValidIssuer = Issuer,
        ValidateAudience = false,
        IssuerSigningKeys = ring,
        ValidAlgorithms = [SecurityAlgorithms.HmacSha256],
        ClockSkew = TimeSpan.FromSeconds(30),
        LifetimeValidator = (notBefore, expires, _, _) => expires is { } end && end > clock.GetUtcNow().UtcDateTime && (notBefore is null || notBefore <= clock.GetUtcNow().UtcDateTime.AddSeconds(30)),
    });

    private async Task<SymmetricSecurityKey[]> RingAsync(bool reload, CancellationToken cancellationToken)
    {
        if (_ring is { } known && !reload)
        {
            return known;
        }

        if (options.Value.JwtSecret is { Length: > 0 } secret)
        {
            return _ring = [new SymmetricSecurityKey(Encoding.UTF8.GetBytes(secret))];
        }

        await _loading.WaitAsync(cancellationToken);
        try
        {
            if (_ring is { } loaded && !reload)
            {
                return loaded;
            }

            var engine = storage.ForState();
            var ring = await ReadRingAsync(engine, cancellationToken);
            if (ring.Count == 0)
            {
                await engine.WriteAsync(new StorageBatch().Put(Space, KeyPrefix + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8)), RandomNumberGenerator.GetBytes(32)), cancellationToken);
                ring = await ReadRingAsync(engine, cancellationToken);
            }

            return _ring = [.. ring];
        }
        finally
        {
            _loading.Release();
        }
    }

    /// <summary>The stored keys in the order of their ids (the first signs).</summary>
    private static async Task<List<SymmetricSecurityKey>> ReadRingAsync(IStorageEngine engine, CancellationToken cancellationToken)
    {
        var entries = new List<StoredEntry>();
        await foreach (var entry in engine.ScanAsync(Space, KeyPrefix, cancellationToken))
        {
            entries.Add(entry);
        }

        return [.. entries.OrderBy(e => e.Key, StringComparer.Ordinal).Select(e => new SymmetricSecurityKey(e.Value) { KeyId = e.Key })];
    }
}
