using System.Net;
using System.Net.Http.Json;
using MQTTnet;
using RobustMq.Cluster.Tests.Infrastructure;
using RobustMq.Integration.Tests.Infrastructure;
using RobustMq.Storage.Tests.Infrastructure;
using Xunit.Abstractions;

namespace RobustMq.Cluster.Tests.Security;

/// <summary>
/// A cluster refuses anonymous clients unless <c>Auth:AllowAnonymous</c> says otherwise (the embedded single node lets
/// them in), and a user of the built-in store made through one silo's admin API gets in through every silo: the users
/// live in the cluster's PostgreSQL.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class ClusterAuthenticationTests(PostgresServer server, ITestOutputHelper output)
{
    [Fact]
    public async Task A_cluster_refuses_anonymous_clients_by_default_and_a_user_made_on_one_silo_gets_in_on_another()
    {
        await using var cluster = await SiloCluster.StartAsync(server, output, 0);
        // The cluster's own arguments without the test suite's Auth:AllowAnonymous=true: the default of a cluster.
        string[] arguments = [.. SiloCluster.SiloArguments(cluster.ConnectionString).Where(a => !a.StartsWith("--Auth:", StringComparison.Ordinal)), "--Auth:Sources:0=builtin"];
        await using var first = BrokerExecutable.Start(arguments);
        await first.WaitStartedAsync("silo 0 start-up", TimeSpan.FromSeconds(90));
        await using var second = BrokerExecutable.Start(arguments);
        await second.WaitStartedAsync("silo 1 start-up", TimeSpan.FromSeconds(90));

        using (var anonymous = new MqttClientFactory().CreateMqttClient())
        {
            var result = await anonymous.ConnectAsync(Options(first, "anon").Build());
            Assert.Equal(MqttClientConnectResultCode.NotAuthorized, result.ResultCode);
        }

        using (var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{first.Ports["Admin:Port"]}"), Timeout = TimeSpan.FromSeconds(10) })
        {
            using var put = await http.PutAsJsonAsync("/api/users/fleet", new { password = "fleet-pw", superuser = false });
            Assert.Equal(HttpStatusCode.Created, put.StatusCode);
        }

        using var device = new MqttClientFactory().CreateMqttClient();
        var connected = await device.ConnectAsync(Options(second, "fleet-1").WithCredentials("fleet", "fleet-pw").Build());
        Assert.Equal(MqttClientConnectResultCode.Success, connected.ResultCode);
    }

    private static MqttClientOptionsBuilder Options(BrokerExecutable silo, string clientId) =>
        new MqttClientOptionsBuilder().WithTcpServer("127.0.0.1", silo.MqttPort).WithClientId(clientId).WithTimeout(TimeSpan.FromSeconds(10));
}
