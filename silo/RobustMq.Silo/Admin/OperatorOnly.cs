using System.Net;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;
using RobustMq.Silo.Hosting;

namespace RobustMq.Silo.Admin;

/// <summary>
/// Guards the admin endpoints that manage who gets in (users, bans): with <c>Admin:Token</c> set, a request must carry
/// <c>Authorization: Bearer {token}</c> (compared in constant time), else 401; without it, only a client on the
/// loopback address is answered, others get 403. The read-only views and <c>/metrics</c> are not guarded.
/// </summary>
public sealed class OperatorOnly(IOptions<AdminOptions> options) : IEndpointFilter
{
    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(next);
        var http = context.HttpContext;
        if (options.Value.Token is { Length: > 0 } token)
        {
            var header = http.Request.Headers.Authorization.ToString();
            const string scheme = "Bearer ";
            var given = header.StartsWith(scheme, StringComparison.OrdinalIgnoreCase) ? header[scheme.Length..].Trim() : "";
            if (!CryptographicOperations.FixedTimeEquals(SHA256.HashData(Encoding.UTF8.GetBytes(given)), SHA256.HashData(Encoding.UTF8.GetBytes(token))))
            {
                return Results.Json(new { error = "this endpoint needs Authorization: Bearer <Admin:Token>" }, statusCode: StatusCodes.Status401Unauthorized);
            }
        }
        else if (http.Connection.RemoteIpAddress is not { } peer || !IPAddress.IsLoopback(peer.IsIPv4MappedToIPv6 ? peer.MapToIPv4() : peer))
        {
            return Results.Json(new { error = "without Admin:Token this endpoint answers only the loopback address" }, statusCode: StatusCodes.Status403Forbidden);
        }

        return await next(context);
    }
}
