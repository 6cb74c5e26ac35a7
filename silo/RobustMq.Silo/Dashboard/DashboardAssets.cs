using System.Collections.Frozen;
using System.Security.Cryptography;
using Microsoft.Net.Http.Headers;

namespace RobustMq.Silo.Dashboard;

/// <summary>
/// The web dashboard (issue 14) on <c>Admin:Port</c>: static files (HTML, CSS, ES modules) embedded in this assembly
/// under the logical names <c>dashboard/{path}</c> (RobustMq.Silo.csproj, from <c>Dashboard/wwwroot/</c>), read once
/// at start-up and served from memory.
/// <list type="bullet">
/// <item><c>GET /dashboard</c>: 301 to <c>/dashboard/</c> (the pages' relative links need the slash).</item>
/// <item><c>GET /dashboard/</c>: <c>index.html</c>; <c>GET /dashboard/{path}</c>: that file, 404 when there is none.
/// The single-page app routes with the URL's fragment (<c>#/clients</c>), so no other path falls back to it.</item>
/// <item>Headers: the file's <c>Content-Type</c> (UTF-8 for text), a strong <c>ETag</c> (SHA-256 of the bytes) with
/// <c>Cache-Control: no-cache</c> (a browser keeps the file and asks each time; 304 when unchanged, so a new broker
/// version is picked up at once), <c>X-Content-Type-Options: nosniff</c>, and a <c>Content-Security-Policy</c> that
/// lets the pages load only their own files and call only this origin (no inline script, no CDN).</item>
/// </list>
/// The pages call <c>/api/v1</c> with the token from <c>POST /api/v1/login</c>; the files themselves are public.
/// </summary>
public static class DashboardAssets
{
    /// <summary>The URL path the dashboard is served under.</summary>
    public const string BasePath = "/dashboard";

    private const string ResourcePrefix = "dashboard/";

    private const string SecurityPolicy =
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; " +
        "base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

    private static readonly FrozenDictionary<string, string> ContentTypes = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase)
    {
        [".html"] = "text/html; charset=utf-8",
        [".js"] = "text/javascript; charset=utf-8",
        [".css"] = "text/css; charset=utf-8",
        [".svg"] = "image/svg+xml",
        [".png"] = "image/png",
        [".ico"] = "image/x-icon",
        [".json"] = "application/json; charset=utf-8",
    }.ToFrozenDictionary(StringComparer.OrdinalIgnoreCase);

    private static readonly Lazy<FrozenDictionary<string, Asset>> Files = new(Load);

    /// <summary>Maps <c>/dashboard</c> and <c>/dashboard/{**path}</c> on <paramref name="endpoints"/>.</summary>
    public static void Map(IEndpointRouteBuilder endpoints)
    {
        // Routing matches /dashboard and /dashboard/ alike: the slash is told apart here.
        endpoints.MapGet(BasePath, (HttpContext http) => http.Request.Path.Value?.EndsWith('/') == true
            ? Serve("index.html", http)
            : Results.Redirect(BasePath + "/" + http.Request.QueryString, permanent: true));
        endpoints.MapGet(BasePath + "/{**path}", (string? path, HttpContext http) => Serve(string.IsNullOrEmpty(path) ? "index.html" : path, http));
    }

    private static IResult Serve(string path, HttpContext http)
    {
        if (!Files.Value.TryGetValue(path, out var asset))
        {
            return Results.NotFound();
        }

        var headers = http.Response.Headers;
        headers.ETag = asset.ETag;
        headers.CacheControl = "no-cache";
        headers.XContentTypeOptions = "nosniff";
        headers.ContentSecurityPolicy = SecurityPolicy;
        headers["Referrer-Policy"] = "no-referrer";
        if (http.Request.Headers.IfNoneMatch.ToString() is { Length: > 0 } asked
            && EntityTagHeaderValue.TryParseList([asked], out var tags)
            && tags.Any(t => t.Tag == "*" || t.Compare(new EntityTagHeaderValue(asset.ETag), useStrongComparison: false)))
        {
            return Results.StatusCode(StatusCodes.Status304NotModified);
        }

        return Results.Bytes(asset.Bytes, asset.ContentType);
    }

    /// <summary>Every embedded <c>dashboard/…</c> resource, by its path below <c>/dashboard/</c>.</summary>
    private static FrozenDictionary<string, Asset> Load()
    {
        var assembly = typeof(DashboardAssets).Assembly;
        var files = new Dictionary<string, Asset>(StringComparer.Ordinal);
        foreach (var name in assembly.GetManifestResourceNames())
        {
            if (!name.StartsWith(ResourcePrefix, StringComparison.Ordinal))
            {
                continue;
            }

            using var stream = assembly.GetManifestResourceStream(name)!;
            using var copy = new MemoryStream();
            stream.CopyTo(copy);
            var bytes = copy.ToArray();
            var path = name[ResourcePrefix.Length..].Replace('\\', '/');
            var type = ContentTypes.GetValueOrDefault(Path.GetExtension(path), "application/octet-stream");
            files[path] = new Asset(bytes, type, "\"" + Convert.ToHexStringLower(SHA256.HashData(bytes))[..32] + "\"");
        }

        return files.ToFrozenDictionary(StringComparer.Ordinal);
    }

    private sealed record Asset(byte[] Bytes, string ContentType, string ETag);
}
