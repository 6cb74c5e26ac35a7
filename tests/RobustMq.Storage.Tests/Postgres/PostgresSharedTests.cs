using System.Text;
using RobustMq.Storage.Postgres;
using RobustMq.Storage.Tests.Infrastructure;

namespace RobustMq.Storage.Tests.Postgres;

/// <summary>
/// Shared mode: several engines (as a cluster's silos are) write one schema. Offsets of a shard follow on whichever
/// engine appends; a single-writer engine and shared ones exclude each other.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class PostgresSharedTests(PostgresServer server) : PostgresSchemaTests(server)
{
    [Fact]
    public async Task Shared_engines_that_open_a_new_schema_at_the_same_moment_all_open_it()
    {
        // As silos started together on a new database: CREATE SCHEMA IF NOT EXISTS alone fails one of them with 23505.
        for (var round = 0; round < 3; round++)
        {
            var schema = $"t_{Guid.NewGuid():N}";
            var opening = Enumerable.Range(0, 8).Select(_ => Task.Run(() => PostgresStorageEngine.OpenAsync(
                new PostgresStorageOptions { ConnectionString = Server.ConnectionString(), Schema = schema, Shared = true }).AsTask())).ToArray();
            try
            {
                await Task.WhenAll(opening);
            }
            finally
            {
                foreach (var open in opening.Where(o => o.IsCompletedSuccessfully))
                {
                    await (await open).DisposeAsync();
                }

                await Server.ExecuteAsync($"DROP SCHEMA IF EXISTS {schema} CASCADE");
            }
        }
    }

    [Fact]
    public async Task Shared_engines_open_one_schema_together_and_exclude_a_single_writer_both_ways()
    {
        var a = await OpenAsync(shared: true);
        var b = await OpenAsync(shared: true);
        var refused = await Assert.ThrowsAsync<StorageException>(async () => await OpenAsync(shared: false));
        Assert.Equal(StorageErrorKind.Unavailable, refused.Kind);

        await a.DisposeAsync();
        await b.DisposeAsync();
        var single = await OpenAsync(shared: false);
        var refusedShared = await Assert.ThrowsAsync<StorageException>(async () => await OpenAsync(shared: true));
        Assert.Equal(StorageErrorKind.Unavailable, refusedShared.Kind);
        Assert.Contains("single-writer", refusedShared.Message, StringComparison.Ordinal);
        await single.WriteAsync(new StorageBatch().Put("s", "k", Bytes("v")));
    }

    [Fact]
    public async Task A_shard_appended_by_one_engine_then_another_then_the_first_again_gets_offsets_that_follow_on()
    {
        var a = await OpenAsync(shared: true);
        var b = await OpenAsync(shared: true);

        var first = await a.WriteAsync(new StorageBatch().Append("q", Bytes("a0"), 1).Append("q", Bytes("a1"), 1).Append("q", Bytes("a2"), 1));
        var second = await b.WriteAsync(new StorageBatch().Append("q", Bytes("b3"), 1).Append("q", Bytes("b4"), 1));
        var third = await a.WriteAsync(new StorageBatch().Append("q", Bytes("a5"), 1));

        Assert.Equal([0L, 1, 2], first.Offsets);
        Assert.Equal([3L, 4], second.Offsets);
        Assert.Equal([5L], third.Offsets);
        var records = await b.ReadAsync("q", 0, 10);
        Assert.Equal(["a0", "a1", "a2", "b3", "b4", "a5"], records.Select(r => Encoding.UTF8.GetString(r.Value.Span)));
        Assert.Equal(new ShardBounds(0, 6), await a.GetBoundsAsync("q"));
    }

    [Fact]
    public async Task Engines_appending_to_one_shard_at_once_take_turns_with_no_offset_given_twice_or_skipped()
    {
        const int each = 100;
        var engines = new[] { await OpenAsync(shared: true), await OpenAsync(shared: true) };
        await engines[0].WriteAsync(new StorageBatch().Append("hot", Bytes("seed"), 1));

        var offsets = await Task.WhenAll(engines.SelectMany((engine, e) => Enumerable.Range(0, each).Select(i => Task.Run(async () =>
            (await engine.WriteAsync(new StorageBatch().Append("hot", Bytes($"{e}:{i}"), 1))).Offsets[0]))));

        Assert.Equal(Enumerable.Range(1, 2 * each).Select(i => (long)i), offsets.Order());
        var records = await engines[1].ReadAsync("hot", 0, 1000);
        Assert.Equal(2 * each + 1, records.Count);
        Assert.Equal(Enumerable.Range(0, 2 * each + 1).Select(i => (long)i), records.Select(r => r.Offset));
    }

    [Fact]
    public async Task Engines_creating_one_shard_at_once_take_turns_and_a_commit_does_not_reset_its_bounds()
    {
        const int each = 50;
        var engines = new[] { await OpenAsync(shared: true), await OpenAsync(shared: true) };

        // No seed: both engines find the shard missing; one also commits a consumer offset on it as it goes.
        var offsets = await Task.WhenAll(engines.SelectMany((engine, e) => Enumerable.Range(0, each).Select(i => Task.Run(async () =>
        {
            var batch = new StorageBatch().Append("fresh", Bytes($"{e}:{i}"), 1);
            if (e == 1)
            {
                batch.Commit("fresh", "reader", 0);
            }

            return (await engine.WriteAsync(batch)).Offsets[0];
        }))));

        Assert.Equal(Enumerable.Range(0, 2 * each).Select(i => (long)i), offsets.Order());
        Assert.Equal(new ShardBounds(0, 2 * each), await engines[0].GetBoundsAsync("fresh"));
        var next = await engines[0].WriteAsync(new StorageBatch().Append("fresh", Bytes("last"), 1));
        Assert.Equal([2L * each], next.Offsets);
    }

    [Fact]
    public async Task A_trim_by_one_engine_and_appends_by_another_keep_both()
    {
        var a = await OpenAsync(shared: true);
        var b = await OpenAsync(shared: true);
        await a.WriteAsync(new StorageBatch().Append("t", Bytes("0"), 1).Append("t", Bytes("1"), 1).Append("t", Bytes("2"), 1));

        await b.WriteAsync(new StorageBatch().TrimBefore("t", 2));
        var appended = await a.WriteAsync(new StorageBatch().Append("t", Bytes("3"), 1));

        Assert.Equal([3L], appended.Offsets);
        Assert.Equal(new ShardBounds(2, 4), await b.GetBoundsAsync("t"));
    }
}
