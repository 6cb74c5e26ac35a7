using System.Text;
using RobustMq.Gateway.Ops;

namespace RobustMq.Gateway.Tests.Ops;

public sealed class AlarmWatermarkTests
{
    [Fact]
    public void Usage_raises_above_the_high_watermark_clears_below_the_low_one_and_stays_in_between()
    {
        static string Decision(double usage) => AlarmMonitor.Watermark(usage, high: 80, low: 60) switch { true => "raise", false => "clear", null => "stay" };

        Assert.Equal(["raise", "stay", "stay", "stay", "clear"], new[] { 80.5, 80, 70, 60, 59.9 }.Select(Decision));
    }

    [Fact]
    public void A_low_watermark_not_below_the_high_one_is_refused_naming_the_key()
    {
        Assert.Empty(new AlarmOptions().Problems());
        Assert.Equal(
            ["Alarms:CpuLowWatermark must be 0 or more and below Alarms:CpuHighWatermark (50) (percent; got 60)"],
            new AlarmOptions { CpuHighWatermark = 50 }.Problems());
        Assert.Contains(new AlarmOptions { MemoryLowWatermark = -1 }.Problems(), p => p.StartsWith("Alarms:MemoryLowWatermark", StringComparison.Ordinal));
    }

    [Fact]
    public void A_container_memory_limit_is_used_and_none_falls_back()
    {
        var root = Path.Combine(Path.GetTempPath(), $"robustmq-cgroup-{Guid.NewGuid():N}");
        Directory.CreateDirectory(Path.Combine(root, "memory"));
        try
        {
            // cgroup v2: 600 MiB in use, 100 MiB of it inactive file cache, of a 1000 MiB limit.
            File.WriteAllText(Path.Combine(root, "memory.max"), $"{1000L << 20}\n");
            File.WriteAllText(Path.Combine(root, "memory.current"), $"{600L << 20}\n");
            File.WriteAllText(Path.Combine(root, "memory.stat"), $"anon 1\ninactive_file {100L << 20}\nactive_file 3\n");
            Assert.Equal<(double, long)?>((50.0, 1000L << 20), AlarmMonitor.CgroupMemory(root, hostTotal: 8000L << 20));

            File.WriteAllText(Path.Combine(root, "memory.max"), "max\n");
            Assert.Null(AlarmMonitor.CgroupMemory(root, 8000L << 20));

            // cgroup v1: a limit at or above the host's memory is no limit.
            File.Delete(Path.Combine(root, "memory.max"));
            File.WriteAllText(Path.Combine(root, "memory", "memory.limit_in_bytes"), "9223372036854771712\n");
            File.WriteAllText(Path.Combine(root, "memory", "memory.usage_in_bytes"), $"{300L << 20}\n");
            Assert.Null(AlarmMonitor.CgroupMemory(root, 8000L << 20));
            File.WriteAllText(Path.Combine(root, "memory", "memory.limit_in_bytes"), $"{400L << 20}\n");
            Assert.Equal<(double, long)?>((75.0, 400L << 20), AlarmMonitor.CgroupMemory(root, 8000L << 20));
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    [Fact]
    public async Task A_change_that_cannot_be_published_waits_for_the_next_check_and_keeps_its_alarms_order()
    {
        var outbox = new AlarmOutbox(capacity: 3);
        var sent = new List<string>();
        var failures = 0;
        var down = true;
        ValueTask Publish(string topic, byte[] payload, CancellationToken ct)
        {
            var text = Encoding.UTF8.GetString(payload);
            if (down && text == "cpu alert")
            {
                throw new InvalidOperationException("router not ready");
            }

            sent.Add(text);
            return ValueTask.CompletedTask;
        }

        outbox.Add("cpu", "$SYS/a", Encoding.UTF8.GetBytes("cpu alert"));
        outbox.Add("queue", "$SYS/a", Encoding.UTF8.GetBytes("queue alert"));
        outbox.Add("cpu", "$SYS/c", Encoding.UTF8.GetBytes("cpu clear"));
        await outbox.PublishAsync(Publish, (_, _, _) => failures++, CancellationToken.None);

        // The queue alarm went; the cpu clear waits behind its failed alert.
        Assert.Equal(["queue alert"], sent);
        Assert.Equal((1, 2), (failures, outbox.Count));

        down = false;
        await outbox.PublishAsync(Publish, (_, _, _) => failures++, CancellationToken.None);

        Assert.Equal(["queue alert", "cpu alert", "cpu clear"], sent);
        Assert.Equal(0, outbox.Count);
        Assert.Equal(0, outbox.Add("a", "t", []));
        outbox.Add("b", "t", []);
        outbox.Add("c", "t", []);
        Assert.Equal(1, outbox.Add("d", "t", []));
    }
}
