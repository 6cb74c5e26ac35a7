using System.Diagnostics;
using RobustMq.Storage.Postgres;
using RobustMq.Storage.Tests.Infrastructure;

namespace RobustMq.Storage.Tests.Postgres;

/// <summary>
/// The engine's tables in a tablespace on a small tmpfs (mounted by the test: needs root, as the test command runs):
/// writes past its size fail with Full, nothing stored before is harmed, and writes work again once the file system
/// grows.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class PostgresDiskFullTests(PostgresServer server) : IAsyncLifetime
{
    private readonly string _schema = $"t_{Guid.NewGuid():N}";
    private readonly string _tablespace = $"ts_{Guid.NewGuid():N}";
    private string? _mount;

    public async Task InitializeAsync()
    {
        Assert.True(Environment.IsPrivilegedProcess, "this test mounts a tmpfs and needs root (./test.sh runs as root in CI)");
        _mount = Directory.CreateTempSubdirectory("robustmq-pg-full-").FullName;
        await RunAsync("mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", _mount);
        await RunAsync("chown", "postgres:", _mount);
        await server.ExecuteAsync($"CREATE TABLESPACE {_tablespace} LOCATION '{_mount}'");
    }

    public async Task DisposeAsync()
    {
        await server.ExecuteAsync($"DROP SCHEMA IF EXISTS {_schema} CASCADE");
        await server.ExecuteAsync($"DROP TABLESPACE IF EXISTS {_tablespace}");
        if (_mount is not null)
        {
            await RunAsync("umount", _mount);
            Directory.Delete(_mount);
        }
    }

    [Fact]
    public async Task Writes_past_the_disk_fail_with_full_keep_what_was_stored_and_work_again_when_space_is_added()
    {
        var options = new PostgresStorageOptions { ConnectionString = $"{server.ConnectionString()};Options=-c default_tablespace={_tablespace}", Schema = _schema };
        await using var engine = await PostgresStorageEngine.OpenAsync(options);
        var random = new Random(11);
        StorageException? full = null;
        var stored = 0;
        for (var i = 0; i < 200 && full is null; i++)
        {
            var value = new byte[32 * 1024];
            random.NextBytes(value);
            try
            {
                await engine.WriteAsync(new StorageBatch().Append("big", value, i).Put("s", $"k{i}", value));
                stored++;
            }
            catch (StorageException e)
            {
                full = e;
            }
        }

        Assert.NotNull(full);
        Assert.Equal(StorageErrorKind.Full, full.Kind);
        Assert.True(stored > 0, "no write fitted in the tablespace at all");
        Assert.Equal(new ShardBounds(0, stored), await engine.GetBoundsAsync("big"));
        Assert.Null(await engine.GetAsync("s", $"k{stored}"));

        await RunAsync("mount", "-o", "remount,size=16m", _mount!);
        var after = await engine.WriteAsync(new StorageBatch().Append("big", new byte[1024], 0));

        Assert.Equal([(long)stored], after.Offsets);
        Assert.Equal(stored + 1, (await engine.ReadAsync("big", 0, 1000)).Count);
    }

    private static async Task RunAsync(string program, params string[] arguments)
    {
        var info = new ProcessStartInfo(program) { RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        using var process = Process.Start(info) ?? throw new InvalidOperationException($"could not start {program}");
        var stderr = await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        Assert.True(process.ExitCode == 0, $"{program} {string.Join(' ', arguments)} exited with {process.ExitCode}: {stderr}");
    }
}
