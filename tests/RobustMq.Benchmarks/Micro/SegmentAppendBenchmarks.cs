using BenchmarkDotNet.Attributes;
using RobustMq.Storage;
using RobustMq.Storage.Segment;

namespace RobustMq.Benchmarks.Micro;

/// <summary>
/// Segment engine appends of 64 B records, one record per <see cref="IStorageEngine.WriteAsync"/>, from
/// <see cref="Writers"/> concurrent writers (each awaits its write before the next), with Sync = Always (group
/// fsync) and None. Per operation = per acknowledged append. The log is in a fresh directory under the temp folder.
/// </summary>
[MemoryDiagnoser]
public class SegmentAppendBenchmarks
{
    private const int Appends = 1024;

    private readonly byte[] _value = new byte[64];
    private string _path = "";
    private SegmentStorageEngine? _engine;

    [Params("Always", "None")]
    public string Sync { get; set; } = "Always";

    [Params(1, 32)]
    public int Writers { get; set; } = 1;

    [GlobalSetup]
    public async Task SetupAsync()
    {
        _path = Path.Combine(Path.GetTempPath(), "robustmq-bench-segment-" + Guid.NewGuid().ToString("N"));
        StorageSync.TryParse(Sync, out var sync);
        _engine = await SegmentStorageEngine.OpenAsync(new SegmentStorageOptions { Path = _path, Sync = sync });
    }

    [GlobalCleanup]
    public async Task CleanupAsync()
    {
        if (_engine is not null)
        {
            await _engine.DisposeAsync();
        }

        Directory.Delete(_path, recursive: true);
    }

    [Benchmark(OperationsPerInvoke = Appends)]
    public Task Append64B()
    {
        var tasks = new Task[Writers];
        for (var w = 0; w < Writers; w++)
        {
            tasks[w] = WriteAsync($"bench/{w}", Appends / Writers);
        }

        return Task.WhenAll(tasks);
    }

    private async Task WriteAsync(string shard, int count)
    {
        for (var i = 0; i < count; i++)
        {
            await _engine!.WriteAsync(new StorageBatch().Append(shard, _value, i));
        }
    }
}
