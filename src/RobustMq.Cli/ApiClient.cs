using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;

namespace RobustMq.Cli;

/// <summary>
/// The admin API (<c>/api/v1</c>) of one node: logs in with a user name and password (<c>POST /api/v1/login</c>) or
/// sends an API key (<c>Basic</c>) or a token (<c>Bearer</c>) with each request.
/// </summary>
public sealed class ApiClient(Uri server, Credentials credentials) : IDisposable
{
    private readonly HttpClient _http = new() { BaseAddress = server, Timeout = TimeSpan.FromSeconds(30) };
    private AuthenticationHeaderValue? _auth;

    public void Dispose() => _http.Dispose();

    /// <summary>Sends a request and reads its JSON answer (null for 204).</summary>
    /// <exception cref="ApiException">The API answered with an error status.</exception>
    /// <exception cref="HttpRequestException">The server cannot be reached.</exception>
    public async Task<JsonElement?> SendAsync(HttpMethod method, string path, object? body, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(method, path);
        request.Headers.Authorization = await AuthAsync(cancellationToken);
        if (body is not null)
        {
            request.Content = JsonContent.Create(body);
        }

        using var response = await _http.SendAsync(request, cancellationToken);
        return await ReadAsync(response, cancellationToken);
    }

    /// <summary>A GET of a text answer (a trace download), with credentials.</summary>
    /// <exception cref="ApiException">The API answered with an error status.</exception>
    public async Task<string> GetTextAsync(string path, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Authorization = await AuthAsync(cancellationToken);
        using var response = await _http.SendAsync(request, cancellationToken);
        if (!response.IsSuccessStatusCode)
        {
            await ReadAsync(response, cancellationToken);
        }

        return await response.Content.ReadAsStringAsync(cancellationToken);
    }

    /// <summary>A GET without credentials (the probes), its status and body.</summary>
    public async Task<(HttpStatusCode Status, string Body)> GetPublicAsync(string path, CancellationToken cancellationToken)
    {
        using var response = await _http.GetAsync(path, cancellationToken);
        return (response.StatusCode, await response.Content.ReadAsStringAsync(cancellationToken));
    }

    private async Task<AuthenticationHeaderValue?> AuthAsync(CancellationToken cancellationToken)
    {
        if (_auth is not null)
        {
            return _auth;
        }

        if (credentials.Token is { Length: > 0 } token)
        {
            return _auth = new AuthenticationHeaderValue("Bearer", token);
        }

        if (credentials.ApiKey is { Length: > 0 } key)
        {
            return _auth = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{key}:{credentials.ApiSecret}")));
        }

        using var login = await _http.PostAsJsonAsync("/api/v1/login", new { username = credentials.UserName, password = credentials.Password }, cancellationToken);
        var answer = await ReadAsync(login, cancellationToken);
        if (answer is not { ValueKind: JsonValueKind.Object } body || !body.TryGetProperty("token", out var issued) || issued.ValueKind != JsonValueKind.String)
        {
            throw new ApiException((int)login.StatusCode, "the login's answer has no token: is --server the admin API?");
        }

        return _auth = new AuthenticationHeaderValue("Bearer", issued.GetString());
    }

    private static async Task<JsonElement?> ReadAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var text = await response.Content.ReadAsStringAsync(cancellationToken);
        if (!response.IsSuccessStatusCode)
        {
            var message = text;
            try
            {
                using var error = JsonDocument.Parse(text);
                if (error.RootElement.ValueKind == JsonValueKind.Object)
                {
                    foreach (var name in new[] { "message", "error" })
                    {
                        if (error.RootElement.TryGetProperty(name, out var m) && m.ValueKind == JsonValueKind.String)
                        {
                            message = m.GetString()!;
                            break;
                        }
                    }
                }
            }
            catch (JsonException)
            {
                // Not JSON (a proxy's page, say): shown as it is.
            }

            throw new ApiException((int)response.StatusCode, message);
        }

        if (text.Length == 0)
        {
            return null;
        }

        try
        {
            using var document = JsonDocument.Parse(text);
            return document.RootElement.Clone();
        }
        catch (JsonException)
        {
            throw new ApiException((int)response.StatusCode, "the answer is not JSON: is --server the admin API?");
        }
    }
}

/// <summary>How the CLI proves who it is: a token, an API key, or a user name and password to log in with.</summary>
public sealed record Credentials(string? Token, string? ApiKey, string? ApiSecret, string UserName, string Password);

/// <summary>The admin API answered with an error status.</summary>
public sealed class ApiException(int status, string message) : Exception(message)
{
    public int Status { get; } = status;
}
