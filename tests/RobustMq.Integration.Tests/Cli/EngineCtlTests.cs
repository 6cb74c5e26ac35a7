using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using MQTTnet;
using MQTTnet.Protocol;
using RobustMq.Grains.Storage;
using RobustMq.Integration.Tests.Admin;
using RobustMq.Integration.Tests.Infrastructure;
using RobustMq.Storage;
using RobustMq.Storage.Postgres;

namespace RobustMq.Integration.Tests.Cli;

/// <summary>
/// <c>robust-ctl engine ...</c> over <c>/api/v1/engine</c>, the real executable against a running broker or cluster.
/// The broker itself writes no shards yet (session queues are keyed records), so each test appends its shard to a
/// store it can reach: the in-process broker's Segment engine, or (cluster) the cluster's shared PostgreSQL schema
/// through an engine of its own in shared mode, which every silo reads.
/// </summary>
public sealed class EngineCtlTests(EngineBrokerFixture broker) : IClassFixture<EngineBrokerFixture>
{
    [Fact]
    public async Task Backend_list_shows_each_nodes_default_store_and_the_segment_store_of_its_topic_rule()
    {
        var backends = Data(await CtlJsonAsync("engine", "backend", "list"));

        var segments = backends.Where(b => b.GetProperty("backend").GetString() == "segment").ToList();
        Assert.Equal(BrokerFixture.ClusterMode ? 2 : 1, segments.Select(b => b.GetProperty("node").GetString()).Distinct().Count());
        Assert.All(segments, b => Assert.Equal(["seg/#"], b.GetProperty("topic_filters").EnumerateArray().Select(f => f.GetString())));
        Assert.All(segments, b => Assert.EndsWith("segments", b.GetProperty("location").GetString(), StringComparison.Ordinal));
        Assert.All(segments, b => Assert.True(b.GetProperty("size_bytes").GetInt64() >= 0));
        var defaults = backends.Where(b => b.GetProperty("default").GetBoolean()).ToList();
        if (BrokerFixture.ClusterMode)
        {
            // The shared database answers once, for the whole cluster, and never shows its password.
            var postgres = Assert.Single(defaults);
            Assert.Equal("postgres", postgres.GetProperty("backend").GetString());
            Assert.Equal(JsonValueKind.Null, postgres.GetProperty("node").ValueKind);
            Assert.DoesNotContain("assword", postgres.GetProperty("location").GetString(), StringComparison.OrdinalIgnoreCase);
        }
        else
        {
            var rocks = Assert.Single(defaults);
            Assert.Equal("rocksdb", rocks.GetProperty("backend").GetString());
            Assert.True(rocks.GetProperty("size_bytes").GetInt64() > 0, "RocksDB's directory has its files");
        }
    }

    [Fact]
    public async Task Space_list_shows_the_keys_a_persistent_session_and_a_retained_message_keep_in_the_default_store()
    {
        var client = "engine-space-" + Guid.NewGuid().ToString("N");
        using var session = await Mqtt.ConnectAsync(broker, client, configure: o => o.WithCleanStart(false).WithSessionExpiryInterval(3600));
        await session.PublishAsync(Mqtt.Message("engine-space/" + client, "kept", MqttQualityOfServiceLevel.AtLeastOnce).WithRetainFlag().Build());
        var store = BrokerFixture.ClusterMode ? "postgres" : "rocksdb";

        var spaces = Data(await CtlJsonAsync("engine", "space", "list", "--backend", store));

        Assert.All(spaces, s => Assert.Equal(store, s.GetProperty("backend").GetString()));
        foreach (var name in (string[])["sessions", "retained"])
        {
            // The shared database answers once for the cluster (node null); a node's own store names its node.
            var space = Assert.Single(spaces, s => s.GetProperty("space").GetString() == name);
            Assert.True(space.GetProperty("keys").GetInt64() > 0 && space.GetProperty("value_bytes").GetInt64() > 0, $"{name}: {space}");
            Assert.False(space.GetProperty("keys_at_least").GetBoolean());
            Assert.Equal(BrokerFixture.ClusterMode ? JsonValueKind.Null : JsonValueKind.String, space.GetProperty("node").ValueKind);
        }

        var (code, table, error) = await RobustCtl.RunAsync(broker.AdminPort, "engine", "space", "list");
        Assert.True(code == 0, $"exit {code}: {error}");
        Assert.Contains("sessions", table, StringComparison.Ordinal);
        Assert.Contains("VALUE_BYTES", table, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Offsets_of_a_shard_are_listed_found_by_time_and_committed_within_its_bounds()
    {
        var shard = "engine-test/" + Guid.NewGuid().ToString("N");
        await using var store = await StoreAsync();
        await store.Engine.WriteAsync(new StorageBatch().Append(shard, new byte[10], 1_000).Append(shard, new byte[10], 2_000).Append(shard, new byte[10], 3_000).Commit(shard, "reader", 1));

        var listed = Assert.Single(Data(await CtlJsonAsync("engine", "shard", "list", "--prefix", shard)));
        Assert.Equal(3, listed.GetProperty("records").GetInt64());
        Assert.Equal(3, listed.GetProperty("next").GetInt64());
        Assert.Equal("reader", listed.GetProperty("consumers")[0].GetProperty("consumer").GetString());
        Assert.Equal(2, listed.GetProperty("consumers")[0].GetProperty("lag").GetInt64());

        var byTime = Assert.Single(Data(await CtlJsonAsync("engine", "offset", "by-timestamp", "--shard-name", shard, "--timestamp", "1970-01-01T00:00:01.500Z")));
        Assert.Equal(1, byTime.GetProperty("offset").GetInt64());
        var late = Assert.Single(Data(await CtlJsonAsync("engine", "offset", "by-timestamp", "--shard-name", shard, "--timestamp", "3001")));
        Assert.Equal(JsonValueKind.Null, late.GetProperty("offset").ValueKind);

        var (refused, _, why) = await RobustCtl.RunAsync(broker.AdminPort, "engine", "offset", "commit", "--shard-name", shard, "--consumer", "reader", "--offset", "4");
        Assert.True(refused == 1, $"exit {refused}: {why}");
        Assert.Contains("400 offset 4 is outside shard", why, StringComparison.Ordinal);

        var committed = Assert.Single(Data(await CtlJsonAsync("engine", "offset", "commit", "--shard-name", shard, "--consumer", "reader", "--offset", "3")));
        Assert.Equal(0, committed.GetProperty("lag").GetInt64());
        var group = Assert.Single(Data(await CtlJsonAsync("engine", "offset", "by-group", "--shard-name", shard)));
        Assert.Equal(3, group.GetProperty("offset").GetInt64());
        Assert.Equal(3L, await store.Engine.GetCommittedAsync(shard, "reader"));
    }

    [Fact]
    public async Task Deleting_a_shard_a_consumer_has_not_read_to_its_end_is_refused_unless_forced()
    {
        var shard = "engine-test/" + Guid.NewGuid().ToString("N");
        await using var store = await StoreAsync();
        await store.Engine.WriteAsync(new StorageBatch().Append(shard, new byte[10], 1_000).Append(shard, new byte[10], 2_000).Commit(shard, "slow", 1));

        var (inUse, _, why) = await RobustCtl.RunAsync(broker.AdminPort, "engine", "shard", "delete", "--shard-name", shard);
        Assert.True(inUse == 1, $"exit {inUse}: {why}");
        Assert.Contains("409 shard", why, StringComparison.Ordinal);
        Assert.Contains("slow at 1 of 2", why, StringComparison.Ordinal);
        Assert.Equal(new ShardBounds(0, 2), await store.Engine.GetBoundsAsync(shard));

        var (forced, output, error) = await RobustCtl.RunAsync(broker.AdminPort, "engine", "shard", "delete", "--shard-name", shard, "--force");
        Assert.True(forced == 0, $"exit {forced}: {error}");
        Assert.Contains("deleted", output, StringComparison.Ordinal);
        Assert.Equal(default, await store.Engine.GetBoundsAsync(shard));
        var (gone, _, notFound) = await RobustCtl.RunAsync(broker.AdminPort, "engine", "shard", "delete", "--shard-name", shard);
        Assert.True(gone == 1 && notFound.Contains("404 no store holds shard", StringComparison.Ordinal), $"exit {gone}: {notFound}");
    }

    [Fact]
    [Trait("Topology", "SingleNode")]
    public async Task Segment_list_shows_the_files_of_a_segment_shard_and_refuses_a_shard_of_another_backend()
    {
        var shard = "engine-test/" + Guid.NewGuid().ToString("N");
        var engines = broker.Services.GetRequiredService<StorageEngines>().Backends();
        await engines.Single(b => b.Backend == StorageBackend.Segment).Engine.WriteAsync(new StorageBatch().Append(shard, new byte[100], 1_000).Append(shard, new byte[50], 2_000));
        await engines.Single(b => b.Backend == StorageBackend.RocksDb).Engine.WriteAsync(new StorageBatch().Append(shard + "-rocks", new byte[1], 1));

        var file = Assert.Single(Data(await CtlJsonAsync("engine", "segment", "list", "--shard-name", shard)));
        Assert.Equal("segment", file.GetProperty("backend").GetString());
        Assert.EndsWith(".seg", file.GetProperty("file").GetString(), StringComparison.Ordinal);
        Assert.Equal(0, file.GetProperty("base_offset").GetInt64());
        Assert.Equal(1, file.GetProperty("last_offset").GetInt64());
        Assert.Equal(150, file.GetProperty("bytes").GetInt64());
        Assert.Equal(2_000, file.GetProperty("last_timestamp").GetInt64());
        Assert.True(file.GetProperty("active").GetBoolean());
        var path = Path.Combine(broker.DataPath, "segments", "wal", file.GetProperty("file").GetString()!);
        Assert.True(file.GetProperty("file_bytes").GetInt64() <= new FileInfo(path).Length);

        var (code, _, error) = await RobustCtl.RunAsync(broker.AdminPort, "engine", "segment", "list", "--shard-name", shard + "-rocks");
        Assert.True(code == 1 && error.Contains("400 shard", StringComparison.Ordinal) && error.Contains("keeps no segment files", StringComparison.Ordinal), $"exit {code}: {error}");
    }

    [Fact]
    public async Task A_time_that_is_neither_unix_ms_nor_iso_8601_gets_the_usage()
    {
        var (code, _, error) = await RobustCtl.RunAsync(broker.AdminPort, "engine", "offset", "by-timestamp", "--shard-name", "s", "--timestamp", "yesterday");

        Assert.Equal(2, code);
        Assert.Contains("--timestamp 'yesterday'", error, StringComparison.Ordinal);
        Assert.Contains("Usage: robust-ctl <cluster|mqtt|engine>", error, StringComparison.Ordinal);
    }

    private async Task<JsonElement> CtlJsonAsync(params string[] arguments)
    {
        var (code, output, error) = await RobustCtl.RunAsync(broker.AdminPort, ["--output", "json", .. arguments]);
        Assert.True(code == 0, $"robust-ctl {string.Join(' ', arguments)}: exit {code}: {error}");
        return JsonDocument.Parse(output).RootElement.Clone();
    }

    private static List<JsonElement> Data(JsonElement answer) => [.. answer.GetProperty("data").EnumerateArray()];

    /// <summary>A store this test can append to that the broker's API shows: the broker's own Segment engine, or in a cluster the shared database.</summary>
    private async Task<TestStore> StoreAsync()
    {
        if (!BrokerFixture.ClusterMode)
        {
            return new TestStore(broker.Services.GetRequiredService<StorageEngines>().Backends().Single(b => b.Backend == StorageBackend.Segment).Engine, owned: false);
        }

        var engine = await PostgresStorageEngine.OpenAsync(new PostgresStorageOptions { ConnectionString = broker.ClusterConnectionString!, Shared = true, Sync = StorageSync.Always });
        return new TestStore(engine, owned: true);
    }

    private sealed class TestStore(IStorageEngine engine, bool owned) : IAsyncDisposable
    {
        public IStorageEngine Engine => engine;

        public ValueTask DisposeAsync() => owned ? engine.DisposeAsync() : ValueTask.CompletedTask;
    }
}
