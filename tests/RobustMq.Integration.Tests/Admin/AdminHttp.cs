using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;

namespace RobustMq.Integration.Tests.Admin;

/// <summary>The admin API of one node over real HTTP, logged in as the first administrator (<c>admin</c>/<c>public</c>) or as the account given.</summary>
public sealed class AdminHttp(int adminPort, string user = "admin", string password = "public") : IDisposable
{
    private readonly HttpClient _http = new() { BaseAddress = new Uri($"http://127.0.0.1:{adminPort}"), Timeout = TimeSpan.FromSeconds(20) };
    private string? _token;

    public void Dispose() => _http.Dispose();

    /// <summary>Sends a request with the administrator's token; the response, to be disposed.</summary>
    public async Task<HttpResponseMessage> SendAsync(HttpMethod method, string path, object? body = null)
    {
        _token ??= await LoginAsync();
        using var request = new HttpRequestMessage(method, path);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", _token);
        if (body is not null)
        {
            request.Content = JsonContent.Create(body);
        }

        return await _http.SendAsync(request);
    }

    /// <summary>Sends a request, asserts the status, and reads the JSON answer (default for an empty one).</summary>
    public async Task<JsonElement> JsonAsync(HttpMethod method, string path, object? body = null, HttpStatusCode expected = HttpStatusCode.OK)
    {
        using var response = await SendAsync(method, path, body);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == expected, $"{method} {path}: {(int)response.StatusCode} {text} (expected {(int)expected})");
        return text.Length == 0 ? default : JsonDocument.Parse(text).RootElement.Clone();
    }

    public Task<JsonElement> GetAsync(string path) => JsonAsync(HttpMethod.Get, path);

    /// <summary>The <c>data</c> items of a list answer.</summary>
    public async Task<List<JsonElement>> ListAsync(string path) => [.. (await GetAsync(path)).GetProperty("data").EnumerateArray()];

    private async Task<string> LoginAsync()
    {
        using var response = await _http.PostAsJsonAsync("/api/v1/login", new { username = user, password });
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"login: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("token").GetString()!;
    }
}
