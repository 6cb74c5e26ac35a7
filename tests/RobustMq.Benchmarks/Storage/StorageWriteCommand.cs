using System.Diagnostics;
using System.Globalization;
using Npgsql;
using RobustMq.Storage;
using RobustMq.Storage.Postgres;

namespace RobustMq.Benchmarks.Storage;

/// <summary>
/// <c>storage postgres --connection CS [--writers 32] [--seconds 10] [--warmup 2] [--sync Always] [--payload 64]</c>:
/// concurrent writers each append one record per write (its own shard) as fast as the engine completes them, in a
/// schema of its own that is dropped at the end. Prints one line: writes/s, latency p50/p99 and writes per transaction.
/// </summary>
public static class StorageWriteCommand
{
    public static async Task<int> RunAsync(string[] args)
    {
        if (args.Length == 0 || args[0] != "postgres" || !TryParse(args.AsSpan(1), out var options))
        {
            Console.Error.WriteLine("usage: robustmq-bench storage postgres --connection CS [--writers 32] [--seconds 10] [--warmup 2] [--sync Always|None|Periodic:N] [--payload 64]");
            return 2;
        }

        var schema = $"bench_{Guid.NewGuid():N}";
        await using (var engine = await PostgresStorageEngine.OpenAsync(new PostgresStorageOptions { ConnectionString = options.Connection, Schema = schema, Sync = options.Sync }))
        {
            await RunWritersAsync(engine, options, TimeSpan.FromSeconds(options.Warmup), null);
            var latencies = new List<long>[options.Writers];
            var (transactions, writes) = (engine.Transactions, engine.Writes);
            var started = Stopwatch.GetTimestamp();
            await RunWritersAsync(engine, options, TimeSpan.FromSeconds(options.Seconds), latencies);
            var elapsed = Stopwatch.GetElapsedTime(started).TotalSeconds;
            var all = latencies.SelectMany(l => l).Order().ToArray();
            var done = engine.Writes - writes;
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"postgres sync={options.Sync} writers={options.Writers} payload={options.Payload}: {done / elapsed:F0} writes/s, " +
                $"p50 {Ms(all, 0.50):F2} ms, p99 {Ms(all, 0.99):F2} ms, {(double)done / Math.Max(1, engine.Transactions - transactions):F1} writes per transaction"));
        }

        await using var connection = new NpgsqlConnection(options.Connection);
        await connection.OpenAsync();
        await using var drop = new NpgsqlCommand($"DROP SCHEMA {schema} CASCADE", connection);
        await drop.ExecuteNonQueryAsync();
        return 0;
    }

    private static async Task RunWritersAsync(PostgresStorageEngine engine, Options options, TimeSpan duration, List<long>[]? latencies)
    {
        var value = new byte[options.Payload];
        var end = Stopwatch.GetTimestamp() + (long)(duration.TotalSeconds * Stopwatch.Frequency);
        await Task.WhenAll(Enumerable.Range(0, options.Writers).Select(w => Task.Run(async () =>
        {
            var shard = $"bench/{w}";
            var mine = latencies is null ? null : latencies[w] = [];
            while (Stopwatch.GetTimestamp() < end)
            {
                var start = Stopwatch.GetTimestamp();
                await engine.WriteAsync(new StorageBatch().Append(shard, value, 0));
                mine?.Add(Stopwatch.GetTimestamp() - start);
            }
        })));
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

        return args.Length % 2 == 0 && options.Connection.Length > 0;
    }

    private sealed class Options
    {
        public string Connection { get; set; } = "";

        public int Writers { get; set; } = 32;

        public int Seconds { get; set; } = 10;

        public int Warmup { get; set; } = 2;

        public int Payload { get; set; } = 64;

        public StorageSync Sync { get; set; } = StorageSync.Always;
    }
}
