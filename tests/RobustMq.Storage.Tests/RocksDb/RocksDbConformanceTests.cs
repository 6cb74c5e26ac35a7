using RobustMq.Storage.RocksDb;
using RobustMq.Storage.Tests.Conformance;

namespace RobustMq.Storage.Tests.RocksDb;

/// <summary>The contract on the RocksDB backend (durable: a fresh directory per test, reopened in place).</summary>
public sealed class RocksDbConformanceTests : StorageEngineConformance
{
    private readonly RocksDbTempDirectory _directory = new();

    protected override bool IsDurable => true;

    protected override ValueTask<IStorageEngine> OpenAsync() =>
        ValueTask.FromResult<IStorageEngine>(new RocksDbStorageEngine(new RocksDbStorageOptions(_directory.Path, StorageSync.Always)));

    protected override ValueTask CleanUpAsync()
    {
        _directory.Dispose();
        return ValueTask.CompletedTask;
    }
}
