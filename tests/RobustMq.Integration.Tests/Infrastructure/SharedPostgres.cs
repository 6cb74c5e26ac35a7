using RobustMq.Storage.Tests.Infrastructure;

namespace RobustMq.Integration.Tests.Infrastructure;

/// <summary>
/// The one throwaway PostgreSQL server of a cluster-mode run (<see cref="BrokerFixture.ClusterMode"/>), started by the
/// first fixture that needs it and stopped when the test process exits; each fixture's cluster has a database of its
/// own.
/// </summary>
public static class SharedPostgres
{
    private static readonly Lazy<Task<PostgresServer>> Server = new(StartAsync);

    public static Task<PostgresServer> GetAsync() => Server.Value;

    private static async Task<PostgresServer> StartAsync()
    {
        var server = new PostgresServer();
        await server.InitializeAsync();
        AppDomain.CurrentDomain.ProcessExit += (_, _) => server.DisposeAsync().GetAwaiter().GetResult();
        return server;
    }
}
