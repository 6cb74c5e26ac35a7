using System.Diagnostics;
using System.Globalization;
using Npgsql;
using RobustMq.Storage;
using RobustMq.Storage.Memory;
using RobustMq.Storage.Postgres;
using RobustMq.Storage.RocksDb;
using RobustMq.Storage.Segment;

namespace RobustMq.Benchmarks.Storage;

/// <summary>
/// <c>storage BACKEND [--path DIR | --connection CS] [--writers 32] [--seconds 10] [--warmup 2] [--sync Always]
/// [--payload 64]</c>, BACKEND one of memory, rocksdb, segment, postgres: concurrent writers each append one record per
/// write (each its own shard) as fast as the engine completes them, then the records are read back 100 at a time.
/// The store is new (a temporary folder under --path, or a schema of its own) and removed at the end. Prints two
/// lines: writes/s with latency p50/p99 and writes per group commit (one fsync or one transaction); records read per
/// second with the p50/p99 of one 100-record read.
/// </summary>
public static class StorageCommand
{
    private const string Usage = "usage: robustmq-bench storage memory|rocksdb|segment|postgres [--path DIR] [--connection CS] [--writers 32] [--seconds 10] [--warmup 2] [--sync Always|None|Periodic:N] [--payload 64]";

    public static async Task<int> RunAsync(string[] args)
    {
        if (args.Length == 0 || args[0] is not ("memory" or "rocksdb" or "segment" or "postgres") || !TryParse(args.AsSpan(1), out var options)
            || (args[0] == "postgres" && options.Connection.Length == 0))
        {
            Console.Error.WriteLine(Usage);
            return 2;
        }

        var backend = args[0];
        var folder = Path.Combine(options.Path, $"robustmq-bench-{backend}-{Guid.NewGuid():N}");
        var schema = $"bench_{Guid.NewGuid():N}";
        try
        {
            await using var engine = await OpenAsync(backend, folder, schema, options);
            await RunWritersAsync(engine, options, TimeSpan.FromSeconds(options.Warmup), null);
            var latencies = new List<long>[options.Writers];
            var groupsBefore = Groups(engine);
            var started = Stopwatch.GetTimestamp();
            var written = await RunWritersAsync(engine, options, TimeSpan.FromSeconds(options.Seconds), latencies);
            var elapsed = Stopwatch.GetElapsedTime(started).TotalSeconds;
            var all = latencies.SelectMany(l => l).Order().ToArray();
            var groups = Groups(engine) - groupsBefore;
            var perGroup = groups > 0 ? string.Create(CultureInfo.InvariantCulture, $", {(double)written / groups:F1} writes per group commit") : "";
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{backend} sync={engine.Sync} writers={options.Writers} payload={options.Payload}: {written / elapsed:F0} writes/s, p50 {Ms(all, 0.50):F3} ms, p99 {Ms(all, 0.99):F3} ms{perGroup}"));
            await ReadBackAsync(engine, backend, options);
        }
        finally
        {
            if (Directory.Exists(folder))
            {
                Directory.Delete(folder, recursive: true);
            }

            if (backend == "postgres")
            {
                await using var connection = new NpgsqlConnection(options.Connection);
                await connection.OpenAsync();
                await using var drop = new NpgsqlCommand($"DROP SCHEMA IF EXISTS {schema} CASCADE", connection);
                await drop.ExecuteNonQueryAsync();
            }
        }

        return 0;
    }

    private static async Task<IStorageEngine> OpenAsync(string backend, string folder, string schema, Options options) => backend switch
    {
        "memory" => new MemoryStorageEngine(),
        "rocksdb" => new RocksDbStorageEngine(new RocksDbStorageOptions(folder, options.Sync)),
        "segment" => await SegmentStorageEngine.OpenAsync(new SegmentStorageOptions { Path = folder, Sync = options.Sync }),
        _ => await PostgresStorageEngine.OpenAsync(new PostgresStorageOptions { ConnectionString = options.Connection, Schema = schema, Sync = options.Sync }),
    };

    /// <summary>Group commits so far (RocksDB write groups, Segment fsyncs, PostgreSQL transactions); 0 where there are none.</summary>
    private static long Groups(IStorageEngine engine) => engine switch
    {
        RocksDbStorageEngine rocks => rocks.GroupCount,
        SegmentStorageEngine segment => segment.FsyncCount,
        PostgresStorageEngine postgres => postgres.Transactions,
        _ => 0,
    };

    private static async Task<long> RunWritersAsync(IStorageEngine engine, Options options, TimeSpan duration, List<long>[]? latencies)
    {
        var value = new byte[options.Payload];
        var end = Stopwatch.GetTimestamp() + (long)(duration.TotalSeconds * Stopwatch.Frequency);
        var counts = await Task.WhenAll(Enumerable.Range(0, options.Writers).Select(w => Task.Run(async () =>
        {
            var shard = $"bench/{w}";
            var mine = latencies is null ? null : latencies[w] = [];
            long count = 0;
            while (Stopwatch.GetTimestamp() < end)
            {
                var start = Stopwatch.GetTimestamp();
                await engine.WriteAsync(new StorageBatch().Append(shard, value, 0));
                mine?.Add(Stopwatch.GetTimestamp() - start);
                count++;
            }

            return count;
        })));
        return counts.Sum();
    }

    private static async Task ReadBackAsync(IStorageEngine engine, string backend, Options options)
    {
        var reads = new List<long>();
        long records = 0;
        var started = Stopwatch.GetTimestamp();
        for (var w = 0; w < options.Writers; w++)
        {
            var shard = $"bench/{w}";
            var offset = (await engine.GetBoundsAsync(shard)).Low;
            while (true)
            {
                var start = Stopwatch.GetTimestamp();
                var batch = await engine.ReadAsync(shard, offset, 100);
                reads.Add(Stopwatch.GetTimestamp() - start);
                if (batch.Count == 0)
                {
                    break;
                }

                records += batch.Count;
                offset = batch[^1].Offset + 1;
            }
        }

        var elapsed = Stopwatch.GetElapsedTime(started).TotalSeconds;
        var sorted = reads.Order().ToArray();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{backend} read back: {records / elapsed:F0} records/s ({records} records), 100-record read p50 {Ms(sorted, 0.50):F3} ms, p99 {Ms(sorted, 0.99):F3} ms"));
    }

    private static double Ms(long[] sorted, double quantile) =>
        sorted.Length == 0 ? 0 : sorted[Math.Min(sorted.Length - 1, (int)(sorted.Length * quantile))] * 1000.0 / Stopwatch.Frequency;

    private static bool TryParse(ReadOnlySpan<string> args, out Options options)
    {
        options = new Options();
        for (var i = 0; i + 1 < args.Length; i += 2)
        {
            var (name, text) = (args[i], args[i + 1]);
            switch (name)
            {
                case "--connection":
                    options.Connection = text;
                    break;
                case "--path":
                    options.Path = text;
                    break;
                case "--writers" when int.TryParse(text, CultureInfo.InvariantCulture, out var writers) && writers > 0:
                    options.Writers = writers;
                    break;
                case "--seconds" when int.TryParse(text, CultureInfo.InvariantCulture, out var seconds) && seconds > 0:
                    options.Seconds = seconds;
                    break;
                case "--warmup" when int.TryParse(text, CultureInfo.InvariantCulture, out var warmup) && warmup >= 0:
                    options.Warmup = warmup;
                    break;
                case "--payload" when int.TryParse(text, CultureInfo.InvariantCulture, out var payload) && payload >= 0:
                    options.Payload = payload;
                    break;
                case "--sync" when StorageSync.TryParse(text, out var sync):
                    options.Sync = sync;
                    break;
                default:
                    return false;
            }
        }

        return args.Length % 2 == 0;
    }

    private sealed class Options
    {
        public string Connection { get; set; } = "";

        public string Path { get; set; } = System.IO.Path.GetTempPath();

        public int Writers { get; set; } = 32;

        public int Seconds { get; set; } = 10;

        public int Warmup { get; set; } = 2;

        public int Payload { get; set; } = 64;

        public StorageSync Sync { get; set; } = StorageSync.Always;
    }
}
