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
/// The admin API's login tokens: JWTs signed with HS256 (<c>Admin:JwtSecret</c>, or a random key kept in
/// <c>Storage:Default</c>, keyed space <see cref="Space"/>, made by the first node that needs one), issuer
/// <c>robustmq-admin</c>, subject the account, claim <c>role</c>, valid <c>Admin:TokenTtlMinutes</c>.
/// </summary>
public sealed class AdminTokens(StorageEngines storage, IOptions<AdminOptions> options, TimeProvider clock)
{
    public const string Space = "admin_keys";
    private const string KeyName = "jwt";
    private const string Issuer = "robustmq-admin";

    private readonly JsonWebTokenHandler _handler = new() { MapInboundClaims = false };
    private readonly SemaphoreSlim _loading = new(1, 1);
    private SymmetricSecurityKey? _key;
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
            SigningCredentials = new SigningCredentials(await KeyAsync(reload: false, cancellationToken), SecurityAlgorithms.HmacSha256),
        });
        return (token, expires);
    }

    /// <summary>The account and role of a valid token, or null.</summary>
    public async Task<(string Name, string Role)?> ValidateAsync(string token, CancellationToken cancellationToken)
    {
        var result = await ValidateWithAsync(token, await KeyAsync(reload: false, cancellationToken));
        if (!result.IsValid && result.Exception is SecurityTokenSignatureKeyNotFoundException or SecurityTokenInvalidSignatureException
            && Interlocked.Exchange(ref _reloadedAt, clock.GetTimestamp()) is var last && clock.GetElapsedTime(last) > TimeSpan.FromSeconds(5))
        {
            // Another node may have made the shared key first: read it again (at most every 5 s).
            result = await ValidateWithAsync(token, await KeyAsync(reload: true, cancellationToken));
        }

        return result.IsValid && result.Claims.TryGetValue("sub", out var sub) && result.Claims.TryGetValue("role", out var role)
            ? ((string)sub, (string)role)
            : null;
    }

    private Task<TokenValidationResult> ValidateWithAsync(string token, SecurityKey key) => _handler.ValidateTokenAsync(token, new TokenValidationParameters
    {
        ValidIssuer = Issuer,
        ValidateAudience = false,
        IssuerSigningKey = key,
        ValidAlgorithms = [SecurityAlgorithms.HmacSha256],
        ClockSkew = TimeSpan.FromSeconds(30),
        LifetimeValidator = (notBefore, expires, _, _) => expires is { } end && end > clock.GetUtcNow().UtcDateTime && (notBefore is null || notBefore <= clock.GetUtcNow().UtcDateTime.AddSeconds(30)),
    });

    private async Task<SymmetricSecurityKey> KeyAsync(bool reload, CancellationToken cancellationToken)
    {
        if (_key is { } known && !reload)
        {
            return known;
        }

        if (options.Value.JwtSecret is { Length: > 0 } secret)
        {
            return _key = new SymmetricSecurityKey(Encoding.UTF8.GetBytes(secret));
        }

        await _loading.WaitAsync(cancellationToken);
        try
        {
            if (_key is { } loaded && !reload)
            {
                return loaded;
            }

            var engine = storage.ForState();
            var bytes = await engine.GetAsync(Space, KeyName, cancellationToken);
            if (bytes is null)
            {
                bytes = RandomNumberGenerator.GetBytes(32);
                await engine.WriteAsync(new StorageBatch().Put(Space, KeyName, bytes), cancellationToken);
                // Two nodes making it at once: the one written last is read back by both.
                bytes = await engine.GetAsync(Space, KeyName, cancellationToken) ?? bytes;
            }

            return _key = new SymmetricSecurityKey(bytes);
        }
        finally
        {
            _loading.Release();
        }
    }
}
