using RobustMq.Storage.RocksDb;
using RobustMq.Tests.Shared;
using Xunit.Abstractions;

namespace RobustMq.Storage.Tests.RocksDb;

/// <summary>A RocksDB store on a tiny tmpfs that fills up (issue 10 item 5): refused, not corrupted, resumed.</summary>
public sealed class RocksDbDiskFullTests(ITestOutputHelper output)
{
    [Fact]
    public async Task A_full_disk_refuses_writes_with_full_keeps_reads_and_resumes_when_space_frees()
    {
        using var disk = TmpfsMount.TryCreate(megabytes: 4);
        if (disk is null)
        {
            output.WriteLine("not run: mounting a tmpfs needs root on Linux");
            return;
        }

        var filler = Path.Combine(disk.Path, "filler");
        await File.WriteAllBytesAsync(filler, new byte[1 << 20]);
        var path = Path.Combine(disk.Path, "db");
        var engine = new RocksDbStorageEngine(new RocksDbStorageOptions(path, StorageSync.Always)) { ReopenInterval = TimeSpan.Zero };
        var value = new byte[64 << 10];
        var acknowledged = 0;
        StorageException? full = null;
        while (full is null && acknowledged < 200)
        {
            try
            {
                await engine.WriteAsync(new StorageBatch().Append("q", value, acknowledged));
                acknowledged++;
            }
            catch (StorageException e)
            {
                full = e;
            }
        }

        Assert.True(full is not null, $"filling phase: {acknowledged} writes of 64 kB fit on a 4 MB disk");
        Assert.Equal(StorageErrorKind.Full, full.Kind);
        var again = await Assert.ThrowsAsync<StorageException>(async () => await engine.WriteAsync(new StorageBatch().Append("q", new byte[10], 0)));
        Assert.Equal(StorageErrorKind.Full, again.Kind);
        Assert.Equal(new ShardBounds(0, acknowledged), await engine.GetBoundsAsync("q"));

        File.Delete(filler);
        var resumed = await engine.WriteAsync(new StorageBatch().Append("q", new byte[10], 0));

        Assert.Equal([(long)acknowledged], resumed.Offsets);
        await engine.DisposeAsync();
        await using var reopened = new RocksDbStorageEngine(new RocksDbStorageOptions(path, StorageSync.Always));
        var records = await reopened.ReadAsync("q", 0, 1000);
        Assert.Equal(acknowledged + 1, records.Count);
        Assert.All(records.Take(acknowledged), r => Assert.Equal(value.Length, r.Value.Length));
        output.WriteLine($"{acknowledged} writes of 64 kB before the disk was full");
    }
}
