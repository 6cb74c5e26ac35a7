using RobustMq.Integration.Tests.Infrastructure;
using RobustMq.Storage.Tests.Infrastructure;
using Xunit.Abstractions;

namespace RobustMq.Cluster.Tests.Infrastructure;

/// <summary>
/// A cluster of real <c>robustmq</c> processes (<c>Cluster:Mode=AdoNet</c>) on a database of its own in the shared
/// PostgreSQL server, its schema made by <c>robustmq db init</c> as an operator would; every port a free loopback one.
/// Disposing kills the silos, writes each silo's warnings and errors to the test's output (shown when it fails) and
/// drops the database.
/// </summary>
public sealed class SiloCluster : IAsyncDisposable
{
    private readonly PostgresServer _server;
    private readonly List<BrokerExecutable> _silos = [];
    private readonly string[] _arguments;
    private readonly ITestOutputHelper _output;

    private SiloCluster(PostgresServer server, ITestOutputHelper output, string database, string[] arguments)
    {
        _server = server;
        _output = output;
        Database = database;
        ConnectionString = server.ConnectionString(database);
        _arguments = arguments;
    }

    public string Database { get; }

    public string ConnectionString { get; }

    /// <summary>The silos in the order they were started (killed ones included).</summary>
    public IReadOnlyList<BrokerExecutable> Silos => _silos;

    /// <summary>A new database with the cluster schema, and <paramref name="silos"/> silos started on it one after another.</summary>
    public static async Task<SiloCluster> StartAsync(PostgresServer server, ITestOutputHelper output, int silos, params string[] arguments)
    {
        var database = await server.CreateDatabaseAsync();
        var cluster = new SiloCluster(server, output, database, arguments);
        try
        {
            var (code, said) = await RunDatabaseCommandAsync("init", "--connection", cluster.ConnectionString);
            Assert.True(code == 0, $"robustmq db init exited with {code}: {said}");
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
        var silo = BrokerExecutable.Start([.. SiloArguments(ConnectionString), .. DiagnosticArguments, .. _arguments, .. arguments]);
        _silos.Add(silo);
        await silo.WaitStartedAsync($"silo {_silos.Count} start-up", TimeSpan.FromSeconds(90));
        return silo;
    }

    /// <summary>
    /// With <c>ROBUSTMQ_TEST_LOGS</c>: every line timed to the millisecond, and Orleans' membership decisions (probes,
    /// votes, a silo declared dead), which its Warning default leaves out.
    /// </summary>
    private static string[] DiagnosticArguments =>
        Environment.GetEnvironmentVariable("ROBUSTMQ_TEST_LOGS") is { Length: > 0 }
            ? ["--Logging:Console:FormatterOptions:TimestampFormat=HH:mm:ss.fff ", "--Logging:LogLevel:Orleans.Runtime.MembershipService=Information"]
            : [];

    /// <summary>The arguments that put a broker into the cluster of <paramref name="connectionString"/>, advertised on the loopback address.</summary>
    public static string[] SiloArguments(string connectionString) =>
        ["--Cluster:Mode=AdoNet", $"--Cluster:ConnectionString={connectionString}", "--Cluster:AdvertisedAddress=127.0.0.1", "--Sys:IntervalSeconds=0", "--Auth:AllowAnonymous=true"];

    /// <summary>Runs <c>robustmq db ARGS</c>; returns its exit code and output (stdout and stderr).</summary>
    public static async Task<(int Code, string Output)> RunDatabaseCommandAsync(params string[] arguments)
    {
        using var process = CliProcess.Start("dotnet", [Path.Combine(AppContext.BaseDirectory, "robustmq.dll"), "db", .. arguments]);
        var code = await process.WaitForExitAsync($"robustmq db {string.Join(' ', arguments)}", TimeSpan.FromSeconds(60));
        return (code, process.Describe());
    }

    public async ValueTask DisposeAsync()
    {
        for (var i = 0; i < _silos.Count; i++)
        {
            await _silos[i].DisposeAsync();
            var lines = _silos[i].Log.Split('\n');
            if (Environment.GetEnvironmentVariable("ROBUSTMQ_TEST_LOGS") is { Length: > 0 } folder)
            {
                // Every line of every silo, for a failure that needs more than the warnings.
                Directory.CreateDirectory(folder);
                await File.WriteAllLinesAsync(Path.Combine(folder, $"{Database}-silo{i}.log"), lines);
            }

            for (var l = 0; l < lines.Length; l++)
            {
                if (lines[l].StartsWith("warn:", StringComparison.Ordinal) || lines[l].StartsWith("fail:", StringComparison.Ordinal))
                {
                    _output.WriteLine($"silo {i}: {lines[l]} {(l + 1 < lines.Length ? lines[l + 1].Trim() : "")}");
                }
            }
        }

        if (Environment.GetEnvironmentVariable("ROBUSTMQ_TEST_LOGS") is not { Length: > 0 })
        {
            await _server.DropDatabaseAsync(Database);
        }
    }
}
