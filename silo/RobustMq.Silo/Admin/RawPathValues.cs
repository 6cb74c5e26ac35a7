using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Routing.Patterns;

namespace RobustMq.Silo.Admin;

/// <summary>
/// Route values of the admin API read from the request target as the client sent it (RFC 3986 §2.1: each path
/// segment percent-decoded once, as UTF-8). Kestrel decodes the path before routing except for <c>%2F</c>, which it
/// leaves as it is so that it cannot split a segment; it does decode <c>%25</c>, so an id <c>a/b</c> sent as
/// <c>a%2Fb</c> and an id <c>a%2Fb</c> sent as <c>a%252Fb</c> reach routing as the same text. Runs between routing and
/// the endpoints: for the chosen <see cref="RouteEndpoint"/> it sets each parameter of a plain segment (<c>{clientid}</c>)
/// to its decoded raw segment and a catch-all (<c>{**topic}</c>) to its decoded raw segments joined by <c>/</c>. So a
/// client id, user name or topic holding <c>/</c>, <c>%</c>, spaces or non-ASCII letters is addressed by escaping it
/// whole (<c>Uri.EscapeDataString</c>, <c>encodeURIComponent</c>); a topic may also be sent level by level with its
/// <c>/</c> bare. When the raw target does not line up with the route's literal segments (dot segments, an
/// absolute-form target, a path base), the values routing found are kept.
/// </summary>
internal static class RawPathValues
{
    public static Task Apply(HttpContext http, RequestDelegate next)
    {
        if (http.Request.Path.StartsWithSegments("/api") && http.GetEndpoint() is RouteEndpoint endpoint && http.Request.PathBase.Value is null or ""
            && http.Features.Get<IHttpRequestFeature>()?.RawTarget is { } target && target.StartsWith('/'))
        {
            var end = target.AsSpan().IndexOfAny('?', '#');
            var raw = (end < 0 ? target : target[..end])[1..].Split('/');
            if (Values(endpoint.RoutePattern, raw) is { } values)
            {
                foreach (var (name, value) in values)
                {
                    http.Request.RouteValues[name] = value;
                }
            }
        }

        return next(http);
    }

    /// <summary>The parameters of <paramref name="pattern"/> from the raw segments, or null when they do not line up.</summary>
    internal static List<(string Name, string Value)>? Values(RoutePattern pattern, string[] raw)
    {
        if (Array.Exists(raw, s => Uri.UnescapeDataString(s) is "." or ".."))
        {
            // Kestrel removed the dot segments before routing: the raw segments no longer line up with the route's.
            return null;
        }

        List<(string, string)>? values = null;
        var segments = pattern.PathSegments;
        for (var i = 0; i < segments.Count; i++)
        {
            if (segments[i].Parts is not [var part])
            {
                return null;
            }

            if (part is RoutePatternParameterPart { IsCatchAll: true } catchAll && i == segments.Count - 1)
            {
                var tail = i < raw.Length ? string.Join('/', raw[i..].Select(Uri.UnescapeDataString)) : "";
                (values ??= []).Add((catchAll.Name, tail));
                return values;
            }

            if (i >= raw.Length)
            {
                return null;
            }

            var decoded = Uri.UnescapeDataString(raw[i]);
            switch (part)
            {
                case RoutePatternLiteralPart literal when string.Equals(literal.Content, decoded, StringComparison.OrdinalIgnoreCase):
                    break;
                case RoutePatternParameterPart { IsCatchAll: false } parameter:
                    (values ??= []).Add((parameter.Name, decoded));
                    break;
                default:
                    return null;
            }
        }

        return raw.Length == segments.Count || (raw.Length == segments.Count + 1 && raw[^1].Length == 0) ? values : null;
    }
}
