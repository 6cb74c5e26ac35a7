using System.Diagnostics;
using System.Globalization;
using System.Reflection;
using System.Text;
using RobustMq.Storage.RocksDb;
using Xunit.Abstractions;

namespace RobustMq.Storage.Tests.RocksDb;

/// <summary>
/// kill -9 in the middle of a write burst with Sync=Always (a real child process, RobustMq.Storage.CrashWriter):
/// the store opens cleanly and every acknowledged write is there exactly once, with its batch whole. The same child
/// shows that RocksDB's lock refuses a second open from another process.
/// </summary>
public sealed class RocksDbCrashTests(ITestOutputHelper output) : IDisposable
{
    private const int Writers = 8;
    private const int AcksBeforeKill = 10_000;
    private static readonly TimeSpan PhaseTimeout = TimeSpan.FromSeconds(30);

    private readonly RocksDbTempDirectory _directory = new();

    public void Dispose() => _directory.Dispose();

    [Fact]
    public async Task Every_acknowledged_write_is_there_exactly_once_after_a_kill_during_a_burst()
    {
        var acks = await RunAndKillWriterAsync();

        await using var engine = new RocksDbStorageEngine(new RocksDbStorageOptions(_directory.Path, StorageSync.Always));
        var bounds = await engine.GetBoundsAsync("crash");
        var records = await engine.ReadAsync("crash", 0, (int)bounds.Next + 1);

        Assert.Equal(0, bounds.Low);
        Assert.True(bounds.Next >= acks.Count, $"{acks.Count} writes acknowledged but the shard ends at {bounds.Next}");
        Assert.Equal(Enumerable.Range(0, (int)bounds.Next).Select(i => (long)i), records.Select(r => r.Offset));
        var values = records.Select(r => Encoding.UTF8.GetString(r.Value.Span)).ToArray();
        Assert.Equal(values.Length, values.Distinct(StringComparer.Ordinal).Count());
        foreach (var (writer, index, offset) in acks)
        {
            Assert.Equal($"{writer}:{index}", values[offset]);
        }

        for (var w = 0; w < Writers; w++)
        {
            // Each writer wrote 0, 1, 2, ... one after another, and each batch put its index under "w/": the shard
            // holds an unbroken run from 0, and the retained key holds the run's last index (the batch was atomic).
            var prefix = $"{w}:";
            var indexes = values.Where(v => v.StartsWith(prefix, StringComparison.Ordinal))
                .Select(v => int.Parse(v.AsSpan(prefix.Length), CultureInfo.InvariantCulture)).ToArray();
            Assert.Equal(Enumerable.Range(0, indexes.Length), indexes);
            var retained = await engine.GetAsync("retained", $"{w}/");
            Assert.Equal(indexes.Length == 0 ? null : (indexes.Length - 1).ToString(CultureInfo.InvariantCulture), retained is null ? null : Encoding.UTF8.GetString(retained));
        }

        var appended = await engine.WriteAsync(new StorageBatch().Append("crash", Encoding.UTF8.GetBytes("after"), 0));
        Assert.Equal([bounds.Next], appended.Offsets);
    }

    [Fact]
    public async Task A_path_open_in_another_process_is_unavailable_and_names_the_path()
    {
        using var process = StartWriter();
        try
        {
            using var timeout = new CancellationTokenSource(PhaseTimeout);
            Assert.Equal("ready", await process.StandardOutput.ReadLineAsync(timeout.Token));

            var refused = Assert.Throws<StorageException>(() => new RocksDbStorageEngine(new RocksDbStorageOptions(_directory.Path)));

            Assert.Equal(StorageErrorKind.Unavailable, refused.Kind);
            Assert.Contains(Path.GetFullPath(_directory.Path), refused.Message, StringComparison.Ordinal);
            Assert.Contains("already open by this or another process", refused.Message, StringComparison.Ordinal);
        }
        finally
        {
            process.Kill();
            using var exitTimeout = new CancellationTokenSource(PhaseTimeout);
            await process.WaitForExitAsync(exitTimeout.Token);
        }
    }

    /// <summary>Starts the writer on this test's directory: <see cref="Writers"/> writers, until killed.</summary>
    private Process StartWriter()
    {
        var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in (string[])[CrashWriterDll(), _directory.Path, Writers.ToString(CultureInfo.InvariantCulture), "1000000"])
        {
            start.ArgumentList.Add(arg);
        }

        return Process.Start(start) ?? throw new InvalidOperationException("the crash writer did not start");
    }

    /// <summary>Starts the writer, reads its acknowledgements until <see cref="AcksBeforeKill"/>, kills it (SIGKILL) and returns every ack it printed.</summary>
    private async Task<List<(int Writer, int Index, long Offset)>> RunAndKillWriterAsync()
    {
        using var process = StartWriter();
        var errors = process.StandardError.ReadToEndAsync();
        var acks = new List<(int, int, long)>();
        using var timeout = new CancellationTokenSource(PhaseTimeout);
        try
        {
            while (acks.Count < AcksBeforeKill)
            {
                var line = await process.StandardOutput.ReadLineAsync(timeout.Token);
                Assert.True(line is not null && line != "done", $"burst phase: the writer ended after {acks.Count} of {AcksBeforeKill} acks before the kill (exit {(process.HasExited ? process.ExitCode : -1)}): {await Stderr(errors, process)}");
                AddAck(acks, line);
            }
        }
        catch (OperationCanceledException)
        {
            Assert.Fail($"burst phase: {acks.Count} of {AcksBeforeKill} acks within {PhaseTimeout.TotalSeconds} s");
        }
        finally
        {
            process.Kill();
        }

        using var exitTimeout = new CancellationTokenSource(PhaseTimeout);
        await process.WaitForExitAsync(exitTimeout.Token);
        Assert.NotEqual(0, process.ExitCode);
        string? rest;
        while ((rest = await process.StandardOutput.ReadLineAsync()) is not null)
        {
            // A line cut by the kill was never a whole acknowledgement.
            if (rest.Split(' ').Length == 4)
            {
                AddAck(acks, rest);
            }
        }

        output.WriteLine($"{acks.Count} acknowledged writes before the kill");
        return acks;
    }

    private static void AddAck(List<(int, int, long)> acks, string line)
    {
        if (line == "ready")
        {
            return;
        }

        var parts = line.Split(' ');
        Assert.True(parts.Length == 4 && parts[0] == "ack", $"unexpected writer output: '{line}'");
        acks.Add((int.Parse(parts[1], CultureInfo.InvariantCulture), int.Parse(parts[2], CultureInfo.InvariantCulture), long.Parse(parts[3], CultureInfo.InvariantCulture)));
    }

    private static async Task<string> Stderr(Task<string> errors, Process process) =>
        process.HasExited ? await errors : "(still running)";

    private static string CrashWriterDll()
    {
        var path = typeof(RocksDbCrashTests).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
            .Single(a => a.Key == "CrashWriterDll").Value ?? string.Empty;
        Assert.True(File.Exists(path), $"the crash writer is not built at '{path}' (it is built with the tests)");
        return Path.GetFullPath(path);
    }
}
