namespace RobustMq.Storage.Tests.RocksDb;

/// <summary>A fresh directory under the system temp path for one test's database; deleted on dispose.</summary>
internal sealed class RocksDbTempDirectory : IDisposable
{
    public RocksDbTempDirectory()
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "robustmq-rocksdb-" + Guid.NewGuid().ToString("N"));
    }

    public string Path { get; }

    public void Dispose()
    {
        if (Directory.Exists(Path))
        {
            Directory.Delete(Path, recursive: true);
        }
    }
}
