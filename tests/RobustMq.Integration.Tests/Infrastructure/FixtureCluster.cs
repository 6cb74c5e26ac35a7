using System.Globalization;

namespace RobustMq.Integration.Tests.Infrastructure;

/// <summary>
/// The 2-silo cluster behind a <see cref="BrokerFixture"/> in <see cref="BrokerFixture.ClusterMode"/>: two
/// <c>robustmq</c> processes on a database of their own in the run's throwaway PostgreSQL server
/// (<see cref="SharedPostgres"/>), and the <see cref="RoundRobinForwarder"/>s in front of their MQTT and WebSocket
/// listeners (then one per listener port the fixture's arguments set).
/// </summary>
internal sealed class FixtureCluster
{
    private const int StartAttempts = 3;

    /// <summary>
    /// bash: once the test process (the first argument) is gone, kills the process ids and deletes the folders that
    /// follow. vstest kills its test host at the end of a run, which runs no exit handler, and the silos of an idle
    /// cluster are not disposed by anyone else.
    /// </summary>
    private const string Watchdog = """
        parent=$1; shift
        while kill -0 "$parent" 2>/dev/null; do sleep 1; done
        for item in "$@"; do case $item in /*) ;; *) kill -9 "$item" 2>/dev/null ;; esac; done
        for item in "$@"; do case $item in /*) rm -rf "$item" ;; esac; done
        """;

    private System.Diagnostics.Process? _watchdog;

    private readonly List<BrokerExecutable> _silos = [];
    private readonly List<RoundRobinForwarder> _forwarders = [];
    private readonly string _database;

    private FixtureCluster(string database, string connectionString)
    {
        _database = database;
        ConnectionString = connectionString;
    }

    /// <summary>The cluster database's connection string (membership, and a shared <c>Storage:Default</c> Postgres).</summary>
    public string ConnectionString { get; }

    public IReadOnlyList<BrokerExecutable> Silos => _silos;

    /// <summary>The forwarders: [0] MQTT over TCP, [1] WebSocket, then one per listener port of the arguments.</summary>
    public IReadOnlyList<RoundRobinForwarder> Forwarders => _forwarders;

    /// <summary>
    /// Two silos on a new database (schema by <c>robustmq db init</c>, as an operator makes it), started together, and
    /// the forwarders in front of them. A listener port <paramref name="extra"/> sets (TLS, WSS) is the forwarder's;
    /// each silo listens on a free one of its own.
    /// </summary>
    public static async Task<FixtureCluster> StartAsync(List<string> extra)
    {
        var server = await SharedPostgres.GetAsync();
        for (var attempt = 1; ; attempt++)
        {
            var database = await server.CreateDatabaseAsync();
            var cluster = new FixtureCluster(database, server.ConnectionString(database));
            try
            {
                await cluster.StartSilosAsync(cluster.ConnectionString, extra);
                return cluster;
            }
            catch (ClusterStartCollisionException) when (attempt < StartAttempts)
            {
                // Both cores were so busy that one silo declared the other dead while they joined (Orleans' probes
                // timed out); a silo declared dead stops. Not what a test checks: a new cluster on a new database.
                await cluster.DisposeAsync(nameof(FixtureCluster));
            }
            catch
            {
                await cluster.DisposeAsync(nameof(FixtureCluster));
                throw;
            }
        }
    }

    private async Task StartSilosAsync(string connection, List<string> extra)
    {
        using (var init = CliProcess.Start("dotnet", [Path.Combine(AppContext.BaseDirectory, "robustmq.dll"), "db", "init", "--connection", connection]))
        {
            var code = await init.WaitForExitAsync("robustmq db init", TimeSpan.FromSeconds(60));
            Assert.True(code == 0, $"robustmq db init exited with {code}: {init.Describe()}");
        }

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

        _watchdog = StartWatchdog();
        try
        {
            await Task.WhenAll(_silos.Select((silo, i) => silo.WaitStartedAsync($"cluster silo {i} start-up", TimeSpan.FromSeconds(90))));
        }
        catch (InvalidOperationException ex) when (_silos.Any(s => s.HasExited) && ex.Message.Contains("told I am dead", StringComparison.Ordinal))
        {
            throw new ClusterStartCollisionException($"a silo stopped while the new cluster formed: {ex.Message}", ex);
        }
        await Task.WhenAll(_silos.Select((silo, i) => WaitForMembersAsync(silo.Ports["Admin:Port"], _silos.Count, $"cluster silo {i}")));
        _forwarders.Add(RoundRobinForwarder.Start(0, [.. _silos.Select(s => s.MqttPort)]));
        _forwarders.Add(RoundRobinForwarder.Start(0, [.. _silos.Select(s => s.Ports["Listeners:WebSocket:Port"])]));
        foreach (var (port, ports) in listeners)
        {
            _forwarders.Add(RoundRobinForwarder.Start(port, ports));
        }
    }

    /// <summary>
    /// Kills the silos where the test process exits (<see cref="AppDomain.ProcessExit"/>): synchronously, every one even
    /// when one fails, and without the database, whose server may be stopping already.
    /// </summary>
    public void KillAtExit()
    {
        foreach (var silo in _silos)
        {
            try
            {
                silo.Kill();
                if (silo.DataPath is { } path)
                {
                    Directory.Delete(path, recursive: true);
                }
            }
            catch (Exception ex) when (ex is InvalidOperationException or System.ComponentModel.Win32Exception or IOException)
            {
                // Gone already.
            }
        }
    }

    private System.Diagnostics.Process StartWatchdog()
    {
        var info = new System.Diagnostics.ProcessStartInfo("/bin/bash") { UseShellExecute = false };
        info.ArgumentList.Add("-c");
        info.ArgumentList.Add(Watchdog);
        info.ArgumentList.Add("watchdog");
        info.ArgumentList.Add(Environment.ProcessId.ToString(CultureInfo.InvariantCulture));
        foreach (var silo in _silos)
        {
            info.ArgumentList.Add(silo.ProcessId.ToString(CultureInfo.InvariantCulture));
        }

        foreach (var silo in _silos)
        {
            if (silo.DataPath is { } path)
            {
                info.ArgumentList.Add(path);
            }
        }

        return System.Diagnostics.Process.Start(info) ?? throw new InvalidOperationException("the silos' watchdog did not start");
    }

    /// <summary>Stops the forwarders and kills the silos (keeping their lines with <c>ROBUSTMQ_TEST_LOGS</c>), then drops the database.</summary>
    public async ValueTask DisposeAsync(string fixture)
    {
        // Its process ids are about to be free for the system to give again: the watchdog must not kill them later.
        _watchdog?.Kill();
        _watchdog?.Dispose();
        _watchdog = null;
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
                await File.WriteAllTextAsync(Path.Combine(folder, $"{fixture}-{_database}-silo{i}.log"), _silos[i].Log);
            }
        }

        await (await SharedPostgres.GetAsync()).DropDatabaseAsync(_database);
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
                var statuses = nodes.RootElement.EnumerateArray().Select(n => n.GetProperty("status").GetString()).ToList();
                if (statuses.Count(s => s == "active") >= count)
                {
                    return;
                }

                if (statuses.Contains("dead"))
                {
                    throw new ClusterStartCollisionException($"{phase}: a silo of the new cluster was declared dead while joining; /api/nodes: {last}");
                }
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
            {
            }

            await Task.Delay(200);
        }

        throw new TimeoutException($"{phase}: fewer than {count} active members within 60 s; /api/nodes: {last}");
    }
}

/// <summary>A silo of a new <see cref="FixtureCluster"/> was declared dead by the other while they joined: start again.</summary>
internal sealed class ClusterStartCollisionException(string message, Exception? inner = null) : Exception(message, inner);
