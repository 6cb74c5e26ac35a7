using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using RobustMq.Integration.Tests.Infrastructure;

namespace RobustMq.Integration.Tests.Admin;

/// <summary>
/// The admin API's own accounts changed at once (its own broker: the test deletes <c>admin</c>, which other classes log
/// in with). An API key, which no account deletion ends, sends the changes.
/// </summary>
public sealed class AdminAccountsTests(OwnBrokerFixture broker) : IClassFixture<OwnBrokerFixture>, IDisposable
{
    private readonly HttpClient _http = new() { BaseAddress = new Uri($"http://127.0.0.1:{broker.AdminPort}"), Timeout = TimeSpan.FromSeconds(20) };

    public void Dispose() => _http.Dispose();

    [Fact]
    public async Task The_last_two_administrators_deleted_at_once_leave_one()
    {
        using var admin = new AdminHttp(broker.AdminPort);
        await admin.JsonAsync(HttpMethod.Put, "/api/v1/admins/second-admin", new { password = "second-pass-1", role = "administrator" }, HttpStatusCode.Created);
        var key = await admin.JsonAsync(HttpMethod.Post, "/api/v1/api_keys", new { name = "accounts-test" }, HttpStatusCode.Created);
        var basic = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{key.GetProperty("api_key").GetString()}:{key.GetProperty("api_secret").GetString()}")));

        async Task<HttpResponseMessage> SendAsync(HttpMethod method, string path)
        {
            using var request = new HttpRequestMessage(method, path);
            request.Headers.Authorization = basic;
            return await _http.SendAsync(request);
        }

        async Task<HttpStatusCode> DeleteAsync(string name)
        {
            using var response = await SendAsync(HttpMethod.Delete, $"/api/v1/admins/{name}");
            return response.StatusCode;
        }

        var codes = await Task.WhenAll(DeleteAsync("admin"), DeleteAsync("second-admin"));

        Assert.Equal([HttpStatusCode.NoContent, HttpStatusCode.Conflict], codes.OrderBy(c => c == HttpStatusCode.Conflict));
        using var listed = await SendAsync(HttpMethod.Get, "/api/v1/admins");
        var accounts = await listed.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Single(accounts.EnumerateArray(), a => a.GetProperty("role").GetString() == "administrator");
    }
}
