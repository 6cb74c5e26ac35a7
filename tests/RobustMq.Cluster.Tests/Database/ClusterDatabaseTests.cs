using Npgsql;
using RobustMq.Cluster.Tests.Infrastructure;
using RobustMq.Integration.Tests.Infrastructure;
using RobustMq.Storage.Tests.Infrastructure;

namespace RobustMq.Cluster.Tests.Database;

/// <summary>
/// <c>robustmq db init</c> and what a silo says about its database before it starts (issue 11: "a silo that cannot
/// reach the database, or finds no schema, says so in one line and exits non-zero").
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class ClusterDatabaseTests(PostgresServer server)
{
    private static readonly string[] QueryKeys =
    [
        "CleanupDefunctSiloEntriesKey", "DeleteMembershipTableEntriesKey", "GatewaysQueryKey", "InsertMembershipKey", "InsertMembershipVersionKey",
        "MembershipReadAllKey", "MembershipReadRowKey", "UpdateIAmAlivetimeKey", "UpdateMembershipKey",
    ];

    [Fact]
    public async Task Db_init_creates_the_tables_and_every_Orleans_query_and_can_run_again()
    {
        var database = await server.CreateDatabaseAsync();
        try
        {
            var connection = server.ConnectionString(database);
            for (var run = 1; run <= 2; run++)
            {
                var (code, output) = await SiloCluster.RunDatabaseCommandAsync("init", "--connection", connection);
                Assert.True(code == 0, $"run {run}: exit {code}: {output}");
            }

            Assert.Equal(QueryKeys, await ReadAsync(connection, "SELECT QueryKey FROM OrleansQuery ORDER BY QueryKey"));
            Assert.Equal(
                ["orleansmembershiptable", "orleansmembershipversiontable", "orleansquery"],
                await ReadAsync(connection, "SELECT table_name::text FROM information_schema.tables WHERE table_schema = 'public' ORDER BY table_name"));
        }
        finally
        {
            await server.DropDatabaseAsync(database);
        }
    }

    [Fact]
    public async Task Db_init_without_a_connection_prints_the_usage_and_exits_2()
    {
        var (code, output) = await SiloCluster.RunDatabaseCommandAsync("init");
        Assert.Equal(2, code);
        Assert.Contains("--connection", output, StringComparison.Ordinal);
        Assert.Contains("Usage: robustmq db init", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Db_init_against_a_closed_port_says_so_in_one_line_and_exits_1()
    {
        var port = FreePorts.Next();
        var (code, output) = await SiloCluster.RunDatabaseCommandAsync("init", "--connection", $"Host=127.0.0.1;Port={port};Username=postgres;Timeout=5");
        Assert.Equal(1, code);
        Assert.Contains($"cannot reach the cluster database at 127.0.0.1:{port}", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_silo_on_a_database_without_the_schema_says_to_run_db_init_and_exits_3()
    {
        var database = await server.CreateDatabaseAsync();
        try
        {
            await using var silo = BrokerExecutable.Start(SiloCluster.SiloArguments(server.ConnectionString(database)));
            var code = await silo.WaitForExitAsync("a silo without the cluster schema");
            Assert.True(code == 3, $"exit {code}: {silo.Log}");
            var line = Assert.Single(silo.Log.Split('\n'), l => l.StartsWith("robustmq:", StringComparison.Ordinal));
            Assert.Contains("has no cluster schema", line, StringComparison.Ordinal);
            Assert.Contains("robustmq db init", line, StringComparison.Ordinal);
        }
        finally
        {
            await server.DropDatabaseAsync(database);
        }
    }

    [Fact]
    public async Task A_silo_that_cannot_reach_the_database_says_so_in_one_line_and_exits_3()
    {
        var port = FreePorts.Next();
        await using var silo = BrokerExecutable.Start(SiloCluster.SiloArguments($"Host=127.0.0.1;Port={port};Username=postgres;Timeout=5"));
        var code = await silo.WaitForExitAsync("a silo whose database is not there");
        Assert.True(code == 3, $"exit {code}: {silo.Log}");
        var line = Assert.Single(silo.Log.Split('\n'), l => l.Length > 0);
        Assert.StartsWith($"robustmq: cannot reach the cluster database at 127.0.0.1:{port}", line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Cluster_mode_AdoNet_without_a_connection_string_is_refused_naming_the_key()
    {
        await using var silo = BrokerExecutable.Start(["--Cluster:Mode=AdoNet"]);
        var code = await silo.WaitForExitAsync("AdoNet without Cluster:ConnectionString");
        Assert.Equal(2, code);
        Assert.Contains("Cluster:ConnectionString is required with Cluster:Mode AdoNet", silo.Log, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--Storage:Default=RocksDb")]
    [InlineData("--Storage:Postgres:Shared=false")]
    public async Task Cluster_mode_AdoNet_with_storage_a_single_silo_keeps_is_refused_naming_the_keys(string storage)
    {
        await using var silo = BrokerExecutable.Start([.. SiloCluster.SiloArguments(server.ConnectionString()), storage]);
        var code = await silo.WaitForExitAsync("AdoNet with per-silo storage");
        Assert.Equal(2, code);
        Assert.Contains("Cluster:Mode AdoNet needs Storage:Default Postgres with Storage:Postgres:Shared true", silo.Log, StringComparison.Ordinal);
    }

    private static async Task<List<string>> ReadAsync(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await using var reader = await command.ExecuteReaderAsync();
        var values = new List<string>();
        while (await reader.ReadAsync())
        {
            values.Add(reader.GetString(0));
        }

        return values;
    }
}
