using RobustMq.Storage.Postgres;
using RobustMq.Storage.Tests.Conformance;
using RobustMq.Storage.Tests.Infrastructure;

namespace RobustMq.Storage.Tests.Postgres;

/// <summary>The contract on the PostgreSQL backend in shared mode (a cluster's silos on one schema): the same tests.</summary>
[Collection(PostgresCollection.Name)]
public sealed class PostgresSharedConformanceTests(PostgresServer server) : StorageEngineConformance
{
    private readonly string _schema = $"t_{Guid.NewGuid():N}";

    protected override bool IsDurable => true;

    protected override async ValueTask<IStorageEngine> OpenAsync() =>
        await PostgresStorageEngine.OpenAsync(new PostgresStorageOptions { ConnectionString = server.ConnectionString(), Schema = _schema, Shared = true });

    protected override async ValueTask CleanUpAsync() => await server.ExecuteAsync($"DROP SCHEMA IF EXISTS {_schema} CASCADE");
}
