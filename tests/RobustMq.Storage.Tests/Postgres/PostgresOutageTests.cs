using System.Text;
using RobustMq.Storage.Postgres;
using RobustMq.Storage.Tests.Infrastructure;

namespace RobustMq.Storage.Tests.Postgres;

/// <summary>The database server stops under the engine (a server of this test's own) and comes back.</summary>
public sealed class PostgresOutageTests : IAsyncLifetime
{
    private readonly PostgresServer _server = new();

    public Task InitializeAsync() => _server.InitializeAsync();

    public Task DisposeAsync() => _server.DisposeAsync();

    [Fact]
    public async Task A_write_while_the_server_is_down_fails_unavailable_unapplied_and_the_next_write_after_restart_succeeds()
    {
        await using var engine = await PostgresStorageEngine.OpenAsync(new PostgresStorageOptions { ConnectionString = _server.ConnectionString(), Sync = StorageSync.Always });
        await engine.WriteAsync(new StorageBatch().Append("q", Bytes("0"), 1).Append("q", Bytes("1"), 1).Put("s", "before", Bytes("b")));

        await _server.StopAsync();
        var failed = await Assert.ThrowsAsync<StorageException>(async () => await engine.WriteAsync(new StorageBatch().Append("q", Bytes("lost"), 1).Put("s", "during", Bytes("d"))));
        var readFailed = await Assert.ThrowsAsync<StorageException>(async () => await engine.GetAsync("s", "before"));
        await _server.StartAsync();
        var after = await engine.WriteAsync(new StorageBatch().Append("q", Bytes("2"), 1));

        Assert.Equal(StorageErrorKind.Unavailable, failed.Kind);
        Assert.Equal(StorageErrorKind.Unavailable, readFailed.Kind);
        Assert.Equal([2L], after.Offsets);
        Assert.Equal(["0", "1", "2"], (await engine.ReadAsync("q", 0, 10)).Select(r => Text(r.Value)));
        Assert.Equal("b", Text(await engine.GetAsync("s", "before") ?? []));
        Assert.Null(await engine.GetAsync("s", "during"));
    }

    private static byte[] Bytes(string text) => Encoding.UTF8.GetBytes(text);

    private static string Text(ReadOnlyMemory<byte> bytes) => Encoding.UTF8.GetString(bytes.Span);
}
