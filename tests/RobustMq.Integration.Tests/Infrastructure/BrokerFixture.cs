using System.Globalization;
using System.Net.Sockets;
using Microsoft.AspNetCore.Builder;
using RobustMq.Silo.Hosting;
using RobustMq.Storage.Tests.Infrastructure;

namespace RobustMq.Integration.Tests.Infrastructure;

/// <summary>
/// One embedded broker (a real silo with real Kestrel listeners) on free loopback ports, shared by the
/// tests of a class. Extra configuration can be given by subclasses.
/// With <c>ROBUSTMQ_TEST_TOPOLOGY=cluster</c> (<see cref="ClusterMode"/>) it is a cluster instead: two
/// <c>robustmq</c> processes on a database of their own in a throwaway PostgreSQL server
/// (<see cref="SharedPostgres"/>), behind a <see cref="RoundRobinForwarder"/> on <see cref="MqttPort"/> and
/// <see cref="WebSocketPort"/>, so a test's consecutive clients (a subscriber, then its publisher) are on different
/// silos; <see cref="AdminPort"/> and <see cref="GatewayPort"/> are the first silo's. Tests that need the one
/// in-process broker (<see cref="Services"/>) or a single node's view carry <c>[Trait("Topology", "SingleNode")]</c>
/// and are left out of that run.
/// </summary>
public class BrokerFixture : IAsyncLifetime
{
    private const int StartAttempts = 3;

    /// <summary>Whether the suite runs against a 2-silo cluster (<c>ROBUSTMQ_TEST_TOPOLOGY=cluster</c>).</summary>
    public static bool ClusterMode { get; } = Environment.GetEnvironmentVariable("ROBUSTMQ_TEST_TOPOLOGY") == "cluster";

    private WebApplication? _app;
    private readonly List<BrokerExecutable> _silos = [];
    private readonly List<RoundRobinForwarder> _forwarders = [];
    private string? _database;

    public int MqttPort { get; private set; } = FreePorts.Next();
    public int WebSocketPort { get; private set; } = FreePorts.Next();
    public int AdminPort { get; private set; } = FreePorts.Next();
    public int SiloPort { get; private set; } = FreePorts.Next();
    public int GatewayPort { get; private set; } = FreePorts.Next();

    /// <summary>The embedded broker's services.</summary>
    /// <exception cref="InvalidOperationException">In <see cref="ClusterMode"/>: there is no broker in this process.</exception>
    public IServiceProvider Services => _app?.Services
        ?? throw new InvalidOperationException("A cluster-mode fixture has no broker in this process: the test needs [Trait(\"Topology\", \"SingleNode\")].");

    /// <summary>The silos of a <see cref="ClusterMode"/> fixture (empty otherwise).</summary>
    public IReadOnlyList<BrokerExecutable> Silos => _silos;

    /// <summary>This broker's own Storage:Path, deleted when the fixture is disposed.</summary>
    public string DataPath { get; } = Directory.CreateTempSubdirectory("robustmq-data-").FullName;

    protected virtual IEnumerable<string> ExtraArguments => [];

    /// <summary>The cluster database (membership and <c>Storage:Default</c> Postgres, shared) in <see cref="ClusterMode"/>; null otherwise.</summary>
    public string? ClusterConnectionString { get; private set; }

    public virtual async Task InitializeAsync()
    {
        if (ClusterMode)
        {
            await StartClusterAsync();
            return;
        }

        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await StartAsync();
                return;
            }
            catch (Exception ex) when (attempt < StartAttempts && IsAddressInUse(ex))
            {
                // Another process took one of the ports between the check and the bind: new ports, new broker.
                await AbandonAsync();
                MqttPort = FreePorts.Next();
                WebSocketPort = FreePorts.Next();
                AdminPort = FreePorts.Next();
                SiloPort = FreePorts.Next();
                GatewayPort = FreePorts.Next();
            }
        }
    }

    public virtual async Task DisposeAsync()
    {
        await StopAsync();
        foreach (var forwarder in _forwarders)
        {
            await forwarder.DisposeAsync();
        }

        for (var i = 0; i < _silos.Count; i++)
        {
            await _silos[i].DisposeAsync();
            if (Environment.GetEnvironmentVariable("ROBUSTMQ_TEST_LOGS") is { Length: > 0 } folder)
            {
                // Every line of every silo, for a failure that needs them.
                Directory.CreateDirectory(folder);
                await File.WriteAllTextAsync(Path.Combine(folder, $"{GetType().Name}-{_database}-silo{i}.log"), _silos[i].Log);
            }
        }

        if (_database is not null)
        {
            await (await SharedPostgres.GetAsync()).DropDatabaseAsync(_database);
        }

        Directory.Delete(DataPath, recursive: true);
    }

    /// <summary>
    /// Two silos on a new database (schema by <c>robustmq db init</c>, as an operator makes it), started together, and
    /// the forwarders in front of them.
    /// </summary>
    private async Task StartClusterAsync()
    {
        var server = await SharedPostgres.GetAsync();
        _database = await server.CreateDatabaseAsync();
        var connection = server.ConnectionString(_database);
        ClusterConnectionString = connection;
        using (var init = CliProcess.Start("dotnet", [Path.Combine(AppContext.BaseDirectory, "robustmq.dll"), "db", "init", "--connection", connection]))
        {
            var code = await init.WaitForExitAsync("robustmq db init", TimeSpan.FromSeconds(60));
            Assert.True(code == 0, $"robustmq db init exited with {code}: {init.Describe()}");
        }

        // A listener port a subclass set (TLS, WSS) is the forwarder's; each silo listens on a free one of its own.
        var extra = ExtraArguments.ToList();
        var listeners = new Dictionary<int, int[]>();
        for (var a = 0; a < extra.Count; a++)
        {
            if (extra[a].StartsWith("--Listeners:", StringComparison.Ordinal) && extra[a].Split('=') is [var key, var value]
                && key.EndsWith(":Port", StringComparison.Ordinal) && int.TryParse(value, CultureInfo.InvariantCulture, out var port))
            {
                listeners[port] = [FreePorts.Next(), FreePorts.Next()];
            }
        }

        for (var i = 0; i < 2; i++)
        {
            var silo = i;
            var own = extra.Select(arg => arg.Split('=') is [var key, var value] && key.EndsWith(":Port", StringComparison.Ordinal)
                && int.TryParse(value, CultureInfo.InvariantCulture, out var port) && listeners.TryGetValue(port, out var ports)
                    ? $"{key}={ports[silo].ToString(CultureInfo.InvariantCulture)}"
                    : arg);
            _silos.Add(BrokerExecutable.Start(
            [
                "--Cluster:Mode=AdoNet", $"--Cluster:ConnectionString={connection}", "--Cluster:AdvertisedAddress=127.0.0.1",
                // The suite's clients connect anonymously; a cluster refuses them unless told (Auth:AllowAnonymous).
                "--Auth:AllowAnonymous=true",
                // With ROBUSTMQ_TEST_LOGS (every line kept), the broker's information lines too.
                $"--Logging:LogLevel:Default={(Environment.GetEnvironmentVariable("ROBUSTMQ_TEST_LOGS") is { Length: > 0 } ? "Information" : "Warning")}",
                "--Logging:LogLevel:Microsoft.Hosting.Lifetime=Information", "--Sys:IntervalSeconds=1",
                .. own,
            ]));
        }

        await Task.WhenAll(_silos.Select((silo, i) => silo.WaitStartedAsync($"cluster silo {i} start-up", TimeSpan.FromSeconds(90))));
        await Task.WhenAll(_silos.Select((silo, i) => WaitForMembersAsync(silo.Ports["Admin:Port"], _silos.Count, $"cluster silo {i}")));
        _forwarders.Add(RoundRobinForwarder.Start(0, [.. _silos.Select(s => s.MqttPort)]));
        _forwarders.Add(RoundRobinForwarder.Start(0, [.. _silos.Select(s => s.Ports["Listeners:WebSocket:Port"])]));
        foreach (var (port, ports) in listeners)
        {
            _forwarders.Add(RoundRobinForwarder.Start(port, ports));
        }

        MqttPort = _forwarders[0].Port;
        WebSocketPort = _forwarders[1].Port;
        AdminPort = _silos[0].Ports["Admin:Port"];
        SiloPort = _silos[0].Ports["Cluster:SiloPort"];
        GatewayPort = _silos[0].Ports["Cluster:GatewayPort"];
    }

    /// <summary>
    /// Waits until the node on <paramref name="adminPort"/> sees <paramref name="count"/> active members
    /// (<c>/api/nodes</c>): a silo that has started may not yet have heard of the other, and a cluster-wide change made
    /// through one (a ban) reaches only the members it knows.
    /// </summary>
    private static async Task WaitForMembersAsync(int adminPort, int count, string phase)
    {
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{adminPort}"), Timeout = TimeSpan.FromSeconds(5) };
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        var last = "";
        while (DateTime.UtcNow < deadline)
        {
            try
            {
                last = await http.GetStringAsync("/api/nodes");
                using var nodes = System.Text.Json.JsonDocument.Parse(last);
                if (nodes.RootElement.EnumerateArray().Count(n => n.GetProperty("status").GetString() == "active") >= count)
                {
                    return;
                }
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
            {
            }

            await Task.Delay(200);
        }

        throw new TimeoutException($"{phase}: fewer than {count} active members within 60 s; /api/nodes: {last}");
    }

    private async Task StartAsync()
    {
        string[] args =
        [
            "--Listeners:Tcp:Address=127.0.0.1", $"--Listeners:Tcp:Port={MqttPort}",
            "--Listeners:WebSocket:Address=127.0.0.1", $"--Listeners:WebSocket:Port={WebSocketPort}",
            "--Admin:Address=127.0.0.1", $"--Admin:Port={AdminPort}",
            $"--Cluster:SiloPort={SiloPort}", $"--Cluster:GatewayPort={GatewayPort}",
            "--Logging:LogLevel:Default=Warning",
            "--Sys:IntervalSeconds=1",
            $"--Storage:Path={DataPath}",
            .. ExtraArguments,
        ];
        _app = BrokerHost.Create(args);
        await _app.StartAsync();
    }

    private async Task StopAsync()
    {
        if (_app is null)
        {
            return;
        }

        var app = _app;
        _app = null;
        try
        {
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            await app.StopAsync(cts.Token);
        }
        finally
        {
            await app.DisposeAsync();
        }
    }

    private async Task AbandonAsync()
    {
        try
        {
            await StopAsync();
        }
        catch (Exception)
        {
            // A host that failed to start may not stop cleanly either; it is dropped.
        }
    }

    private static bool IsAddressInUse(Exception? ex)
    {
        for (; ex is not null; ex = ex.InnerException)
        {
            if (ex is SocketException { SocketErrorCode: SocketError.AddressAlreadyInUse }
                || ex.Message.Contains("address already in use", StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }

        return false;
    }
}
