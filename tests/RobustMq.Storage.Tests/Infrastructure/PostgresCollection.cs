namespace RobustMq.Storage.Tests.Infrastructure;

/// <summary>The tests that share one <see cref="PostgresServer"/> per test assembly run: <c>[Collection(PostgresCollection.Name)]</c>.</summary>
[CollectionDefinition(Name)]
public sealed class PostgresCollection : ICollectionFixture<PostgresServer>
{
    public const string Name = "PostgreSQL server";
}
