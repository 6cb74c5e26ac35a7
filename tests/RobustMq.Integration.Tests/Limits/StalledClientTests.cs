using System.Net.Http.Json;
using System.Text.Json;
using RobustMq.Integration.Tests.Infrastructure;

namespace RobustMq.Integration.Tests.Limits;

[Trait("Topology", "SingleNode")]
public sealed class StalledClientTests(BrokerFixture broker) : IClassFixture<BrokerFixture>, IDisposable
{
    private readonly HttpClient _http = new() { BaseAddress = new Uri($"http://127.0.0.1:{broker.AdminPort}"), Timeout = TimeSpan.FromSeconds(10) };

    [Fact]
    public async Task A_subscriber_that_stops_reading_is_cut_off_after_its_keep_alive_expires()
    {
        using var stalled = await RawClient.OpenAsync(broker);
        await stalled.ConnectAsync("limits-stalled", RawPackets.V311, keepAlive: 1);
        await stalled.SendAsync(RawPackets.Subscribe(1, "limits/stalled", RawPackets.V311));
        await stalled.ExpectAsync(9, "stalled subscriber waits for SUBACK");
        // Far more than the socket buffers hold, from another process (as devices would): the broker's
        // final flush to this client cannot complete, so only cutting the connection off ends it.
        var payloadFile = Path.Combine(Path.GetTempPath(), $"robustmq-stalled-{Guid.NewGuid():N}.bin");
        await File.WriteAllBytesAsync(payloadFile, new byte[512 * 1024]);
        try
        {
            for (var i = 0; i < 64; i++)
            {
                await Mosquitto.PubAsync(broker, "mqttv311", "-t", "limits/stalled", "-q", "0", "-f", payloadFile);
            }
        }
        finally
        {
            File.Delete(payloadFile);
        }

        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (await ListedAsync("limits-stalled"))
        {
            await Task.Delay(TimeSpan.FromMilliseconds(500), deadline.Token)
                .ContinueWith(t => Assert.False(t.IsCanceled, "stalled subscriber: expected the broker to cut it off within 30 s of the keep-alive expiring, still listed in /api/clients"), TaskScheduler.Default);
        }
    }

    public void Dispose() => _http.Dispose();

    private async Task<bool> ListedAsync(string clientId)
    {
        var clients = await _http.GetFromJsonAsync<JsonElement>("/api/clients");
        foreach (var client in clients.EnumerateArray())
        {
            if (client.GetProperty("clientId").GetString() == clientId)
            {
                return true;
            }
        }

        return false;
    }
}
