using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;
using RobustMq.Silo.Hosting;

namespace RobustMq.Silo.Admin;

/// <summary>
/// Guards <c>/api/v1</c> (all but <c>/api/v1/login</c> and the OpenAPI document): a request carries
/// <c>Authorization: Bearer {token}</c> (a login's token, <see cref="AdminTokens"/>, or <c>Admin:Token</c>, which acts
/// as an administrator) or <c>Authorization: Basic base64({api_key}:{api_secret})</c> (<see cref="ApiKeys"/>); else 401.
/// A token's account is read on each request: deleting an account or changing its role applies to its tokens at once.
/// 503 when the stores that prove it cannot be read.
/// A <c>viewer</c> may GET; changes need an <c>administrator</c> (403 otherwise), and so does a GET marked
/// <see cref="AdministratorOnly"/> (what a viewer must not read, such as trace files).
/// </summary>
public sealed class AdminAccess(AdminTokens tokens, ApiKeys keys, AdminAccounts accounts, IOptions<AdminOptions> options, TimeProvider clock) : IEndpointFilter
{
    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(next);
        var http = context.HttpContext;
        string? role;
        try
        {
            role = await RoleAsync(http.Request.Headers.Authorization.ToString(), http.RequestAborted);
        }
        catch (Exception ex) when (ex is RobustMq.Storage.StorageException or FormatException or System.Text.Json.JsonException)
        {
            return Results.Json(new { code = "STORE_UNAVAILABLE", message = "credentials cannot be checked now: " + ex.Message }, statusCode: StatusCodes.Status503ServiceUnavailable);
        }

        if (role is null)
        {
            http.Response.Headers.WWWAuthenticate = "Bearer, Basic realm=\"robustmq\"";
            return Results.Json(new { code = "UNAUTHORIZED", message = "log in (POST /api/v1/login) and send Authorization: Bearer <token>, or Basic <api_key:api_secret>" }, statusCode: StatusCodes.Status401Unauthorized);
        }

        if (role != AdminAccounts.Administrator)
        {
            if (!HttpMethods.IsGet(http.Request.Method) && !HttpMethods.IsHead(http.Request.Method))
            {
                return Results.Json(new { code = "FORBIDDEN", message = $"a {role} may only read; this needs an administrator" }, statusCode: StatusCodes.Status403Forbidden);
            }

            if (http.GetEndpoint()?.Metadata.GetMetadata<AdministratorOnly>() is not null)
            {
                return Results.Json(new { code = "FORBIDDEN", message = $"a {role} may not read this (clients' data); it needs an administrator" }, statusCode: StatusCodes.Status403Forbidden);
            }
        }

        return await next(context);
    }

    /// <summary>The role the header proves, or null.</summary>
    private async Task<string?> RoleAsync(string header, CancellationToken cancellationToken)
    {
        if (header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            var token = header[7..].Trim();
            if (options.Value.Token is { Length: > 0 } operatorToken
                && CryptographicOperations.FixedTimeEquals(SHA256.HashData(Encoding.UTF8.GetBytes(token)), SHA256.HashData(Encoding.UTF8.GetBytes(operatorToken))))
            {
                return AdminAccounts.Administrator;
            }

            if (token.Length == 0 || await tokens.ValidateAsync(token, cancellationToken) is not { } valid)
            {
                return null;
            }

            // The account as stored now: a deleted one's token opens nothing, a demoted one's reads only.
            return await accounts.GetAsync(valid.Name, cancellationToken) is { } account ? AdminAccounts.RoleOf(account) : null;
        }

        if (header.StartsWith("Basic ", StringComparison.OrdinalIgnoreCase))
        {
            string pair;
            try
            {
                pair = Encoding.UTF8.GetString(Convert.FromBase64String(header[6..].Trim()));
            }
            catch (FormatException)
            {
                return null;
            }

            var colon = pair.IndexOf(':', StringComparison.Ordinal);
            if (colon <= 0 || await keys.GetAsync(pair[..colon], cancellationToken) is not { } key || !key.Matches(pair[(colon + 1)..]))
            {
                return null;
            }

            return key.ExpiresUnixMs is { } expires && expires <= clock.GetUtcNow().ToUnixTimeMilliseconds() ? null : key.Role;
        }

        return null;
    }
}

/// <summary>Endpoint metadata: this route needs an administrator even for a GET (see <see cref="AdminAccess"/>).</summary>
public sealed class AdministratorOnly
{
    public static readonly AdministratorOnly Instance = new();
}
