using System.Net;
using RobustMq.Integration.Tests.Infrastructure;

namespace RobustMq.Integration.Tests.Transport;

public sealed class AdminApiTests(BrokerFixture broker) : IClassFixture<BrokerFixture>, IDisposable
{
    private readonly HttpClient _http = new() { BaseAddress = new Uri($"http://127.0.0.1:{broker.AdminPort}"), Timeout = TimeSpan.FromSeconds(10) };

    [Fact]
    public async Task Metrics_endpoint_returns_prometheus_text_with_the_connection_gauge()
    {
        using var client = await Mqtt.ConnectAsync(broker, "admin-metrics");

        using var response = await _http.GetAsync(new Uri("/metrics", UriKind.Relative));
        var body = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.StartsWith("text/plain", response.Content.Headers.ContentType?.MediaType, StringComparison.Ordinal);
        Assert.Contains("# TYPE robustmq_connections gauge", body, StringComparison.Ordinal);
        Assert.Matches("(?m)^robustmq_connections [1-9]", body);
    }

    [Fact]
    public async Task Health_endpoint_answers_ok()
    {
        using var response = await _http.GetAsync(new Uri("/api/health", UriKind.Relative));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("\"ok\"", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Clients_endpoint_lists_a_connected_client()
    {
        using var client = await Mqtt.ConnectAsync(broker, "admin-listed-client");

        var body = await _http.GetStringAsync(new Uri("/api/clients", UriKind.Relative));

        Assert.Contains("\"clientId\":\"admin-listed-client\"", body, StringComparison.Ordinal);
    }

    public void Dispose() => _http.Dispose();
}
