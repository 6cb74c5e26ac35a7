using RobustMq.Storage.Postgres;
using RobustMq.Storage.Tests.Conformance;
using RobustMq.Storage.Tests.Infrastructure;

namespace RobustMq.Storage.Tests.Postgres;

/// <summary>The contract on the PostgreSQL backend: each test its own schema on the shared throwaway server.</summary>
[Collection(PostgresCollection.Name)]
public sealed class PostgresConformanceTests(PostgresServer server) : StorageEngineConformance
{
    private readonly string _schema = $"t_{Guid.NewGuid():N}";

    protected override bool IsDurable => true;

    protected override async ValueTask<IStorageEngine> OpenAsync() =>
        await PostgresStorageEngine.OpenAsync(new PostgresStorageOptions { ConnectionString = server.ConnectionString(), Schema = _schema });

    protected override async ValueTask CleanUpAsync() => await server.ExecuteAsync($"DROP SCHEMA IF EXISTS {_schema} CASCADE");
}
