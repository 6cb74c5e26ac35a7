using System.Security.Cryptography;
using System.Text;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace RobustMq.Gateway.Security.Authentication;

/// <summary>Configuration section <c>Auth:Jwt</c>: JSON Web Tokens in the Password field (<c>jwt</c> in <c>Auth:Sources</c>).</summary>
public sealed class JwtAuthOptions
{
    /// <summary>The HS256 shared secret (UTF-8 text, at least 32 bytes).</summary>
    public string? Secret { get; set; }

    /// <summary>A PEM file with the RSA public key of RS256 tokens.</summary>
    public string? PublicKeyFile { get; set; }

    /// <summary>The <c>iss</c> a token must have; any when unset.</summary>
    public string? Issuer { get; set; }

    /// <summary>The <c>aud</c> a token must have; any when unset.</summary>
    public string? Audience { get; set; }

    /// <summary>How far a token's <c>exp</c>/<c>nbf</c> may be off the broker's clock (seconds).</summary>
    public int ClockSkewSeconds { get; set; } = 30;
}

/// <summary>
/// Takes a JSON Web Token from the CONNECT's Password field (RFC 7519; HS256 with <see cref="JwtAuthOptions.Secret"/>,
/// RS256 with <see cref="JwtAuthOptions.PublicKeyFile"/>), as EMQX's JWT authenticator:
/// <list type="bullet">
/// <item>A password that is not a compact JWT (three dot-separated parts) is ignored: the next source decides.</item>
/// <item>A token whose signature, <c>exp</c>, <c>nbf</c>, <c>iss</c> or <c>aud</c> does not hold is denied (0x86).</item>
/// <item>So is one whose <c>clientid</c> or <c>username</c> claim, when present, is not the CONNECT's.</item>
/// <item>Otherwise the client is allowed; <c>"is_superuser": true</c> makes a superuser.</item>
/// </list>
/// Validated with Microsoft.IdentityModel.JsonWebTokens; a token must carry <c>exp</c>.
/// </summary>
public sealed class JwtAuthSource : IAuthSource
{
    private readonly JsonWebTokenHandler _handler = new();
    private readonly TokenValidationParameters _parameters;

    /// <exception cref="ArgumentException">Neither a secret nor a public key, or a key that cannot be read.</exception>
    public JwtAuthSource(JwtAuthOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var keys = new List<SecurityKey>();
        if (options.Secret is { Length: > 0 } secret)
        {
            keys.Add(new SymmetricSecurityKey(Encoding.UTF8.GetBytes(secret)));
        }

        if (options.PublicKeyFile is { Length: > 0 } file)
        {
            var rsa = RSA.Create();
            rsa.ImportFromPem(File.ReadAllText(file));
            keys.Add(new RsaSecurityKey(rsa));
        }

        if (keys.Count == 0)
        {
            throw new ArgumentException("Auth:Jwt needs Secret or PublicKeyFile", nameof(options));
        }

        _parameters = new TokenValidationParameters
        {
            IssuerSigningKeys = keys,
            ValidAlgorithms = [SecurityAlgorithms.HmacSha256, SecurityAlgorithms.RsaSha256],
            ValidateIssuer = options.Issuer is not null,
            ValidIssuer = options.Issuer,
            ValidateAudience = options.Audience is not null,
            ValidAudience = options.Audience,
            ValidateLifetime = true,
            RequireExpirationTime = true,
            ClockSkew = TimeSpan.FromSeconds(options.ClockSkewSeconds),
        };
    }

    public string Name => "jwt";

    public async ValueTask<AuthResult> AuthenticateAsync(AuthRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (request.Password is not { } password || !LooksLikeJwt(password.Span))
        {
            return AuthResult.Ignored;
        }

        var token = Encoding.UTF8.GetString(password.Span);
        var result = await _handler.ValidateTokenAsync(token, _parameters);
        if (!result.IsValid)
        {
            return AuthResult.Denied("JWT not valid: " + (result.Exception?.GetType().Name ?? "unknown"));
        }

        if (result.Claims.TryGetValue("clientid", out var clientId) && clientId?.ToString() != request.ClientId)
        {
            return AuthResult.Denied("the JWT's clientid claim is another client's");
        }

        if (result.Claims.TryGetValue("username", out var userName) && userName?.ToString() != request.UserName)
        {
            return AuthResult.Denied("the JWT's username claim is another user's");
        }

        var superuser = result.Claims.TryGetValue("is_superuser", out var flag) && flag is true or "true";
        return AuthResult.Allowed(superuser);
    }

    /// <summary>Whether <paramref name="password"/> has the shape of a compact JWS: three non-empty base64url parts.</summary>
    public static bool LooksLikeJwt(ReadOnlySpan<byte> password)
    {
        var dots = 0;
        var run = 0;
        foreach (var b in password)
        {
            if (b == (byte)'.')
            {
                if (run == 0)
                {
                    return false;
                }

                dots++;
                run = 0;
            }
            else if (b is (>= (byte)'A' and <= (byte)'Z') or (>= (byte)'a' and <= (byte)'z') or (>= (byte)'0' and <= (byte)'9') or (byte)'-' or (byte)'_')
            {
                run++;
            }
            else
            {
                return false;
            }
        }

        return dots == 2 && run > 0;
    }
}
