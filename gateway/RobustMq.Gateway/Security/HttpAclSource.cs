using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Serialization;
using RobustMq.Gateway.Security.Authentication;
using RobustMq.Gateway.Security.BuiltInAcl;

namespace RobustMq.Gateway.Security;

/// <summary>Configuration section <c>Acl:Http</c>: the HTTP ACL source (<c>http</c> in <c>Acl:Sources</c>).</summary>
public sealed class HttpAclOptions
{
    /// <summary>The URL each CONNECT's rules are asked of (http or https), with a POST.</summary>
    public string? Url { get; set; }

    /// <summary>How long the answer may take (ms, 1-60000).</summary>
    public int TimeoutMs { get; set; } = 5000;
}

/// <summary>
/// The <c>http</c> ACL source: at each CONNECT, POST <see cref="HttpAclOptions.Url"/> with
/// <c>{"clientid", "username", "peerhost"}</c> (null fields when absent); the
/// answer gives the client's rules, which the connection then holds (no call per PUBLISH or SUBSCRIBE):
/// <list type="bullet">
/// <item>2xx with <c>{"rules": [...]}</c> or a bare array: the rules, each as the built-in store has them
/// (<see cref="AclEntryRule"/>: <c>permission</c>, <c>action</c>, <c>topic</c>, optional <c>qos</c>, <c>retain</c>,
/// <c>ipaddr</c>); <c>{"rules": []}</c> or 204 No Content: none.</item>
/// <item>Anything else (another status, 404 included: a wrong URL must not read as "no rules"; a redirect, an empty or
/// other body, a timeout, a refused connection): the source cannot answer, and the CONNECT is refused with 0x88 (a
/// rule that could not be read might deny).</item>
/// </list>
/// </summary>
public sealed class HttpAclSource(HttpClient http, HttpAclOptions options) : IAclSource
{
    private static readonly JsonSerializerOptions Json = new() { PropertyNameCaseInsensitive = true };

    public string Name => "http";

    public async ValueTask<IReadOnlyList<AclRule>> RulesForAsync(string clientId, string? userName, string? peer, CancellationToken cancellationToken)
    {
        var body = new HttpAclRequest(clientId, userName, HttpAuthSource.AddressOf(peer));
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(options.TimeoutMs);
        string text;
        try
        {
            using var response = await http.PostAsJsonAsync(options.Url, body, timeout.Token);
            if (response.StatusCode == HttpStatusCode.NoContent)
            {
                return [];
            }

            if (!response.IsSuccessStatusCode)
            {
                throw new AclSourceException($"http: HTTP {(int)response.StatusCode} from the ACL service");
            }

            text = await response.Content.ReadAsStringAsync(timeout.Token);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new AclSourceException($"http: no answer within {options.TimeoutMs} ms");
        }
        catch (Exception ex) when (ex is HttpRequestException or IOException)
        {
            throw new AclSourceException("http: the ACL service cannot be reached: " + ex.Message, ex);
        }

        return Parse(text);
    }

    /// <summary>The rules of a 2xx body (see the class summary).</summary>
    /// <exception cref="AclSourceException">Not such a body.</exception>
    internal static IReadOnlyList<AclRule> Parse(string text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            throw new AclSourceException("http: the answer has no body (no rules is {\"rules\": []} or 204)");
        }

        try
        {
            using var document = JsonDocument.Parse(text);
            var root = document.RootElement;
            var rules = root.ValueKind switch
            {
                JsonValueKind.Array => root,
                JsonValueKind.Object when root.TryGetProperty("rules", out var inner) && inner.ValueKind == JsonValueKind.Array => inner,
                _ => throw new AclSourceException("http: the answer is neither {\"rules\": [...]} nor an array of rules"),
            };
            return AclEntry.ToRules(rules.Deserialize<AclEntryRule?[]>(Json) ?? [], "http");
        }
        catch (JsonException ex)
        {
            throw new AclSourceException("http: the answer is not rules: " + ex.Message, ex);
        }
    }

    private sealed record HttpAclRequest(
        [property: JsonPropertyName("clientid")] string ClientId,
        [property: JsonPropertyName("username")] string? UserName,
        [property: JsonPropertyName("peerhost")] string? PeerHost);
}
