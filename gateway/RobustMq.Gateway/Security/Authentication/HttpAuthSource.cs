using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace RobustMq.Gateway.Security.Authentication;

/// <summary>Configuration section <c>Auth:Http</c>: the HTTP authentication source (<c>http</c> in <c>Auth:Sources</c>).</summary>
public sealed class HttpAuthOptions
{
    /// <summary>The URL each CONNECT is POSTed to (http or https).</summary>
    public string? Url { get; set; }

    /// <summary>How long the answer may take (ms).</summary>
    public int TimeoutMs { get; set; } = 5000;

    /// <summary>
    /// What a request that times out, fails or gets a 5xx means: <c>Unavailable</c> (CONNACK 0x88, or the next source
    /// with <c>Auth:FallThroughWhenDown</c>), <c>Deny</c> (0x86) or <c>Ignore</c> (the next source decides).
    /// </summary>
    public AuthOutcome OnFailure { get; set; } = AuthOutcome.Unavailable;
}

/// <summary>
/// Asks an HTTP service about each CONNECT (as EMQX's HTTP authenticator): POST <see cref="HttpAuthOptions.Url"/> with
/// <c>{"clientid", "username", "password", "peerhost", "protocol"}</c> (the password as UTF-8 text; null fields when
/// absent; <c>protocol</c> 3, 4 or 5). The answer:
/// <list type="bullet">
/// <item>2xx with an empty body, or a JSON object with <c>"result": "allow"</c>: allowed; <c>"is_superuser": true</c>
/// makes a superuser. <c>"result": "ignore"</c>: the next source decides. Any other body (<c>"deny"</c>, another
/// result, none, not JSON): denied. Redirects are not followed (a 3xx is a failure).</item>
/// <item>4xx: denied (0x86).</item>
/// <item>5xx, a refused connection, a timeout: <see cref="HttpAuthOptions.OnFailure"/>.</item>
/// </list>
/// </summary>
public sealed class HttpAuthSource(HttpClient http, HttpAuthOptions options) : IAuthSource
{
    public string Name => "http";

    public async ValueTask<AuthResult> AuthenticateAsync(AuthRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var body = new HttpAuthRequest(
            request.ClientId,
            request.UserName,
            request.Password is { } password ? Encoding.UTF8.GetString(password.Span) : null,
            AddressOf(request.Peer),
            request.ProtocolVersion);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(options.TimeoutMs);
        try
        {
            using var response = await http.PostAsJsonAsync(options.Url, body, timeout.Token);
            var status = (int)response.StatusCode;
            if (status is >= 400 and < 500)
            {
                return AuthResult.Denied($"HTTP {status} from the authentication service");
            }

            if (status is < 200 or >= 300)
            {
                return Failed($"HTTP {status} from the authentication service");
            }

            var text = await response.Content.ReadAsStringAsync(timeout.Token);
            return Decide(text);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return Failed($"no answer within {options.TimeoutMs} ms");
        }
        catch (Exception ex) when (ex is HttpRequestException or IOException)
        {
            return Failed("the authentication service cannot be reached: " + ex.Message);
        }
    }

    /// <summary>
    /// A 2xx body: empty allows; otherwise a JSON object whose <c>result</c> is <c>allow</c>, <c>deny</c> or
    /// <c>ignore</c> (any case). Anything else (not JSON, no or another <c>result</c>) is a deny: a body this source
    /// cannot read never lets a client in.
    /// </summary>
    internal static AuthResult Decide(string body)
    {
        if (body.Length == 0)
        {
            return AuthResult.Allowed(false);
        }

        try
        {
            using var json = JsonDocument.Parse(body);
            var root = json.RootElement;
            if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("result", out var result) || result.ValueKind != JsonValueKind.String)
            {
                return AuthResult.Denied("the authentication service's answer has no result");
            }

            var superuser = root.TryGetProperty("is_superuser", out var flag)
                && (flag.ValueKind == JsonValueKind.True || (flag.ValueKind == JsonValueKind.String && string.Equals(flag.GetString(), "true", StringComparison.OrdinalIgnoreCase)));
            return result.GetString()?.ToLowerInvariant() switch
            {
                "allow" => AuthResult.Allowed(superuser),
                "ignore" => AuthResult.Ignored,
                _ => AuthResult.Denied("the authentication service said " + result.GetString()),
            };
        }
        catch (JsonException)
        {
            return AuthResult.Denied("the authentication service's answer is not JSON");
        }
    }

    private AuthResult Failed(string reason) => options.OnFailure switch
    {
        AuthOutcome.Deny => AuthResult.Denied(reason),
        AuthOutcome.Ignore => AuthResult.Ignored,
        _ => AuthResult.Down(reason),
    };

    /// <summary>The address of <c>address:port</c>, or the text as it is.</summary>
    internal static string? AddressOf(string? peer) =>
        peer is not null && IPEndPoint.TryParse(peer, out var endPoint) ? endPoint.Address.ToString() : peer;

    private sealed record HttpAuthRequest(
        [property: JsonPropertyName("clientid")] string ClientId,
        [property: JsonPropertyName("username")] string? UserName,
        [property: JsonPropertyName("password")] string? Password,
        [property: JsonPropertyName("peerhost")] string? PeerHost,
        [property: JsonPropertyName("protocol")] byte Protocol);
}
