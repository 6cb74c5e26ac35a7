using RobustMq.Storage.Segment;

namespace RobustMq.Storage.Tests.Segment;

/// <summary>A fresh directory under the temp folder for one test's segment log, deleted on dispose.</summary>
internal sealed class TempLogDirectory : IDisposable
{
    public string Path { get; } = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "robustmq-segment-" + Guid.NewGuid().ToString("N"));

    public string LogFolder => System.IO.Path.Combine(Path, "wal");

    public ValueTask<SegmentStorageEngine> OpenAsync(long segmentBytes = 4096, StorageSync? sync = null) =>
        SegmentStorageEngine.OpenAsync(new SegmentStorageOptions { Path = Path, SegmentBytes = segmentBytes, Sync = sync ?? StorageSync.Always });

    /// <summary>The segment files on disk, oldest first.</summary>
    public string[] SegmentFiles() => [.. Directory.GetFiles(LogFolder, "*.seg").Order(StringComparer.Ordinal)];

    /// <summary>The bytes of every segment file together.</summary>
    public long LogBytes() => SegmentFiles().Sum(f => new FileInfo(f).Length);

    public void Dispose()
    {
        if (Directory.Exists(Path))
        {
            Directory.Delete(Path, recursive: true);
        }
    }
}
