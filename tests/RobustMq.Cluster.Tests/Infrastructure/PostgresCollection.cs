using RobustMq.Storage.Tests.Infrastructure;

namespace RobustMq.Cluster.Tests.Infrastructure;

/// <summary>The tests that share one throwaway PostgreSQL server per run, each cluster in a database of its own: <c>[Collection(PostgresCollection.Name)]</c>.</summary>
[CollectionDefinition(Name)]
public sealed class PostgresCollection : ICollectionFixture<PostgresServer>
{
    public const string Name = "PostgreSQL server";
}
