using RobustMq.Integration.Tests.Infrastructure;
using RobustMq.Storage.Tests.Infrastructure;

namespace RobustMq.Cluster.Tests.Infrastructure;

/// <summary>
/// A cluster of real <c>robustmq</c> processes (<c>Cluster:Mode=AdoNet</c>) on a database of its own in the shared
/// PostgreSQL server, its schema made by <c>robustmq db init</c> as an operator would; every port a free loopback one.
/// Disposing kills the silos and drops the database.
/// </summary>
public sealed class SiloCluster : IAsyncDisposable
{
    private readonly PostgresServer _server;
    private readonly List<BrokerExecutable> _silos = [];
    private readonly string[] _arguments;

    private SiloCluster(PostgresServer server, string database, string[] arguments)
    {
        _server = server;
        Database = database;
        ConnectionString = server.ConnectionString(database);
        _arguments = arguments;
    }

    public string Database { get; }

    public string ConnectionString { get; }

    /// <summary>The silos in the order they were started (killed ones included).</summary>
    public IReadOnlyList<BrokerExecutable> Silos => _silos;

    /// <summary>A new database with the cluster schema, and <paramref name="silos"/> silos started on it one after another.</summary>
    public static async Task<SiloCluster> StartAsync(PostgresServer server, int silos, params string[] arguments)
    {
        var database = await server.CreateDatabaseAsync();
        var cluster = new SiloCluster(server, database, arguments);
        try
        {
            var (code, output) = await RunDatabaseCommandAsync("init", "--connection", cluster.ConnectionString);
            Assert.True(code == 0, $"robustmq db init exited with {code}: {output}");
            for (var i = 0; i < silos; i++)
            {
                await cluster.AddSiloAsync();
            }

            return cluster;
        }
        catch
        {
            await cluster.DisposeAsync();
            throw;
        }
    }

    /// <summary>Starts one more silo in the cluster and waits until it serves.</summary>
    public async Task<BrokerExecutable> AddSiloAsync(params string[] arguments)
    {
        var silo = BrokerExecutable.Start([.. SiloArguments(ConnectionString), .. _arguments, .. arguments]);
        _silos.Add(silo);
        await silo.WaitStartedAsync($"silo {_silos.Count} start-up", TimeSpan.FromSeconds(90));
        return silo;
    }

    /// <summary>The arguments that put a broker into the cluster of <paramref name="connectionString"/>, advertised on the loopback address.</summary>
    public static string[] SiloArguments(string connectionString) =>
        ["--Cluster:Mode=AdoNet", $"--Cluster:ConnectionString={connectionString}", "--Cluster:AdvertisedAddress=127.0.0.1", "--Sys:IntervalSeconds=0"];

    /// <summary>Runs <c>robustmq db ARGS</c>; returns its exit code and output (stdout and stderr).</summary>
    public static async Task<(int Code, string Output)> RunDatabaseCommandAsync(params string[] arguments)
    {
        using var process = CliProcess.Start("dotnet", [Path.Combine(AppContext.BaseDirectory, "robustmq.dll"), "db", .. arguments]);
        var code = await process.WaitForExitAsync($"robustmq db {string.Join(' ', arguments)}", TimeSpan.FromSeconds(60));
        return (code, process.Describe());
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var silo in _silos)
        {
            await silo.DisposeAsync();
        }

        await _server.DropDatabaseAsync(Database);
    }
}
