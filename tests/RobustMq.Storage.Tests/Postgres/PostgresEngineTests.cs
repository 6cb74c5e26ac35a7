using System.Text;
using Npgsql;
using RobustMq.Storage.Postgres;
using RobustMq.Storage.Tests.Infrastructure;

namespace RobustMq.Storage.Tests.Postgres;

/// <summary>What only the PostgreSQL backend does: one writer per schema, group commits, reconnects, error kinds.</summary>
[Collection(PostgresCollection.Name)]
public sealed class PostgresEngineTests(PostgresServer server) : PostgresSchemaTests(server)
{
    [Fact]
    public async Task A_second_engine_on_the_same_schema_is_refused_with_unavailable_until_the_first_is_disposed()
    {
        var first = await OpenAsync();

        var refused = await Assert.ThrowsAsync<StorageException>(async () => await OpenAsync());
        await first.DisposeAsync();
        var second = await OpenAsync();

        Assert.Equal(StorageErrorKind.Unavailable, refused.Kind);
        Assert.Contains("advisory lock", refused.Message, StringComparison.Ordinal);
        await second.WriteAsync(new StorageBatch().Put("s", "k", Bytes("v")));
    }

    [Fact]
    public async Task Concurrent_writers_share_transactions()
    {
        const int writers = 32;
        const int each = 25;
        var engine = await OpenAsync();

        await Task.WhenAll(Enumerable.Range(0, writers).Select(w => Task.Run(async () =>
        {
            for (var i = 0; i < each; i++)
            {
                await engine.WriteAsync(new StorageBatch().Append($"gc/{w}", Bytes("m"), 1).Put("s", $"{w}", Bytes($"{i}")));
            }
        })));

        Assert.Equal(writers * each, engine.Writes);
        Assert.True(engine.Transactions < engine.Writes, $"expected fewer transactions than writes, got {engine.Transactions} for {engine.Writes} writes");
        Assert.Equal(new ShardBounds(0, each), await engine.GetBoundsAsync("gc/31"));
    }

    [Fact]
    public async Task A_write_after_the_writers_connection_was_terminated_reconnects_and_succeeds()
    {
        var engine = await OpenAsync();
        await engine.WriteAsync(new StorageBatch().Append("q", Bytes("0"), 1));

        await Server.ExecuteAsync("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid() AND backend_type = 'client backend'");
        var result = await engine.WriteAsync(new StorageBatch().Append("q", Bytes("1"), 1));

        Assert.Equal([1L], result.Offsets);
        Assert.Equal(["0", "1"], (await engine.ReadAsync("q", 0, 10)).Select(r => Text(r.Value)));
    }

    [Fact]
    public async Task Disposing_fails_queued_writes_with_closed_and_every_later_call_too()
    {
        var engine = await OpenAsync();
        var writes = Enumerable.Range(0, 200).Select(i => engine.WriteAsync(new StorageBatch().Append("d", Bytes($"{i}"), 1)).AsTask()).ToArray();

        await engine.DisposeAsync();

        foreach (var write in writes)
        {
            var error = await Record.ExceptionAsync(() => write);
            Assert.True(error is null || error is StorageException { Kind: StorageErrorKind.Closed }, $"a queued write ended with {error}");
        }

        await AssertClosedAsync(async () => await engine.ReadAsync("d", 0, 10));
        await AssertClosedAsync(async () => await engine.GetAsync("s", "k"));
        await AssertClosedAsync(async () => await engine.ApplyRetentionAsync("d", new RetentionPolicy(MaxRecords: 1), 0));
        await AssertClosedAsync(async () => await engine.ScanAsync("s").GetAsyncEnumerator().MoveNextAsync());
    }

    [Fact]
    public void Disk_full_maps_to_full_and_other_server_errors_to_unavailable()
    {
        var full = PostgresErrors.Map(new PostgresException("could not extend file: No space left on device", "ERROR", "ERROR", PostgresErrors.DiskFull), "a write");
        var other = PostgresErrors.Map(new PostgresException("too many connections", "FATAL", "FATAL", "53300"), "a write");

        Assert.Equal(StorageErrorKind.Full, full.Kind);
        Assert.Equal(StorageErrorKind.Unavailable, other.Kind);
    }

    [Fact]
    public void Volatile_sync_and_bad_schema_names_are_refused()
    {
        Assert.Throws<ArgumentException>(() => new PostgresStorageOptions { ConnectionString = "Host=x", Sync = StorageSync.Volatile }.Validate());
        Assert.Throws<ArgumentException>(() => new PostgresStorageOptions { ConnectionString = "Host=x", Schema = "Bad\"Name" }.Validate());
    }

    private static async Task AssertClosedAsync(Func<Task> call)
    {
        var error = await Assert.ThrowsAsync<StorageException>(call);
        Assert.Equal(StorageErrorKind.Closed, error.Kind);
    }

    private static string Text(ReadOnlyMemory<byte> bytes) => Encoding.UTF8.GetString(bytes.Span);
}
