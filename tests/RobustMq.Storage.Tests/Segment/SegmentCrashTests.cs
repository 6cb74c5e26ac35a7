using System.Buffers.Binary;

namespace RobustMq.Storage.Tests.Segment;

/// <summary>
/// What a process crash leaves: the files as they are at that moment (the page cache survives the process). A copy
/// of the log taken while a writer runs must reopen as a whole-batch prefix holding every batch acknowledged before
/// the copy started.
/// </summary>
public sealed class SegmentCrashTests : IDisposable
{
    private readonly TempLogDirectory _directory = new();
    private readonly List<TempLogDirectory> _copies = [];

    public void Dispose()
    {
        _directory.Dispose();
        foreach (var copy in _copies)
        {
            copy.Dispose();
        }
    }

    [Fact]
    public async Task A_copy_of_the_log_taken_mid_write_reopens_with_every_batch_acknowledged_before_it()
    {
        long acknowledged = 0;
        var milestones = new[] { 50L, 300L, 700L, 1200L };
        var reached = milestones.Select(_ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).ToArray();
        using var stop = new CancellationTokenSource();
        await using var engine = await _directory.OpenAsync(segmentBytes: 4096, sync: StorageSync.None);
        var writer = Task.Run(async () =>
        {
            for (long i = 0; !stop.IsCancellationRequested; i++)
            {
                await engine.WriteAsync(new StorageBatch().Append("a", Number(i), i).Append("b", Number(i), i).Put("s", "last", Number(i)));
                Interlocked.Exchange(ref acknowledged, i + 1);
                for (var m = 0; m < milestones.Length; m++)
                {
                    if (i + 1 == milestones[m])
                    {
                        reached[m].TrySetResult();
                    }
                }
            }
        });

        var copies = new List<(TempLogDirectory Copy, long AcknowledgedBefore)>();
        foreach (var milestone in reached)
        {
            await milestone.Task.WaitAsync(TimeSpan.FromSeconds(30));
            var before = Interlocked.Read(ref acknowledged);
            copies.Add((CopyLog(), before));
        }

        await stop.CancelAsync();
        await writer;

        foreach (var (copy, before) in copies)
        {
            await using var reopened = await copy.OpenAsync(segmentBytes: 4096, sync: StorageSync.None);
            var bounds = await reopened.GetBoundsAsync("a");
            Assert.True(bounds.Next >= before, $"copy taken after {before} acknowledged batches reopened with {bounds.Next}");
            Assert.Equal(bounds, await reopened.GetBoundsAsync("b"));
            var records = await reopened.ReadAsync("a", 0, (int)bounds.Next);
            Assert.Equal(Enumerable.Range(0, (int)bounds.Next).Select(i => (long)i), records.Select(r => BinaryPrimitives.ReadInt64LittleEndian(r.Value.Span)));
            Assert.Equal(bounds.Next - 1, BinaryPrimitives.ReadInt64LittleEndian(await reopened.GetAsync("s", "last")));
        }
    }

    private static byte[] Number(long value)
    {
        var bytes = new byte[8];
        BinaryPrimitives.WriteInt64LittleEndian(bytes, value);
        return bytes;
    }

    /// <summary>Copies the segment files one by one, oldest first, while the writer goes on (no lock: like a crash).</summary>
    private TempLogDirectory CopyLog()
    {
        var copy = new TempLogDirectory();
        _copies.Add(copy);
        Directory.CreateDirectory(copy.LogFolder);
        foreach (var file in _directory.SegmentFiles())
        {
            using var source = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            using var target = File.Create(Path.Combine(copy.LogFolder, Path.GetFileName(file)));
            source.CopyTo(target);
        }

        return copy;
    }
}
