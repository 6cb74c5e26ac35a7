using System.Text;
using RobustMq.Storage.Postgres;
using RobustMq.Storage.Tests.Infrastructure;

namespace RobustMq.Storage.Tests.Postgres;

/// <summary>
/// Tests of PostgreSQL engines on a schema of their own (a new one per test) on the shared throwaway server: the
/// engines a test opens are disposed and the schema dropped after it.
/// </summary>
public abstract class PostgresSchemaTests(PostgresServer server) : IAsyncLifetime
{
    private readonly string _schema = $"t_{Guid.NewGuid():N}";
    private readonly List<PostgresStorageEngine> _engines = [];

    protected PostgresServer Server => server;

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (var engine in _engines)
        {
            await engine.DisposeAsync();
        }

        await server.ExecuteAsync($"DROP SCHEMA IF EXISTS {_schema} CASCADE");
    }

    /// <summary>An engine on this test's schema (<paramref name="shared"/>: <see cref="PostgresStorageOptions.Shared"/>), disposed after the test.</summary>
    protected async Task<PostgresStorageEngine> OpenAsync(bool shared = false)
    {
        var engine = await PostgresStorageEngine.OpenAsync(new PostgresStorageOptions { ConnectionString = server.ConnectionString(), Schema = _schema, Shared = shared });
        _engines.Add(engine);
        return engine;
    }

    protected static byte[] Bytes(string text) => Encoding.UTF8.GetBytes(text);
}
