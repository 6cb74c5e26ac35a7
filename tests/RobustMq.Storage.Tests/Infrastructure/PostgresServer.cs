using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Npgsql;

namespace RobustMq.Storage.Tests.Infrastructure;

/// <summary>
/// A throwaway PostgreSQL server for tests: <c>initdb</c> into a temporary folder, started by <c>pg_ctl</c> on a free
/// loopback TCP port (never a fixed one: the machine is shared) with its unix socket in that folder; fsync stays on,
/// <c>synchronous_commit</c> at its default. PostgreSQL refuses to run as root, so as root the folder is given to the
/// <c>postgres</c> user (made by Debian's package) and the programs run through <c>runuser -u postgres</c>.
/// Stopped (<c>pg_ctl stop -m immediate</c>) and deleted on dispose. As an xunit collection fixture
/// (<see cref="PostgresCollection"/>) one server serves a whole test assembly run; a test that stops the server
/// makes its own instance and calls <see cref="InitializeAsync"/> and <see cref="DisposeAsync"/> itself.
/// Tests stay independent by each using its own database (<see cref="CreateDatabaseAsync"/>) or schema.
/// </summary>
public sealed class PostgresServer : IAsyncLifetime
{
    /// <summary>The superuser initdb creates; trusted on loopback, no password.</summary>
    public const string Superuser = "postgres";

    private const string OsUser = "postgres";
    private static readonly TimeSpan CommandTimeout = TimeSpan.FromMinutes(2);

    private PostgresBinaries? _binaries;
    private string? _root;

    /// <summary>The TCP port on 127.0.0.1, kept across <see cref="StopAsync"/> and <see cref="StartAsync"/>.</summary>
    public int Port { get; private set; }

    public bool IsRunning { get; private set; }

    private string Root => _root ?? throw new InvalidOperationException("the PostgreSQL test server is not initialized");

    private string DataDirectory => Path.Combine(Root, "data");

    private string LogFile => Path.Combine(Root, "server.log");

    private static bool RunsAsRoot => Environment.IsPrivilegedProcess;

    public async Task InitializeAsync()
    {
        _binaries = PostgresBinaries.Find();
        _root = Directory.CreateTempSubdirectory("robustmq-pg-").FullName;
        if (RunsAsRoot)
        {
            await RunAsync("chown", [$"{OsUser}:", Root], asPostgres: false);
        }

        // --no-sync only skips syncing initdb's own files; the server runs with fsync on.
        await RunAsync(_binaries.InitDb, ["-D", DataDirectory, "-U", Superuser, "--auth=trust", "--encoding=UTF8", "--locale=C", "--no-sync"], asPostgres: true);

        Exception? last = null;
        for (var attempt = 0; attempt < 3; attempt++)
        {
            Port = FreeLoopbackPort();
            try
            {
                await StartAsync();
                return;
            }
            catch (InvalidOperationException e)
            {
                // Another process may have taken the port between probe and start: try another.
                last = e;
            }
        }

        throw new InvalidOperationException($"the PostgreSQL test server did not start in 3 attempts; last: {last?.Message}", last);
    }

    /// <summary>Starts the server on <see cref="Port"/> and waits until it accepts connections.</summary>
    public async Task StartAsync()
    {
        var binaries = _binaries ?? throw new InvalidOperationException("the PostgreSQL test server is not initialized");
        var options = string.Join(' ', [
            "-c listen_addresses=127.0.0.1",
            $"-c port={Port}",
            $"-c unix_socket_directories='{Root}'",
            "-c max_connections=200",
            "-c fsync=on",
            "-c shared_buffers=32MB"]);
        try
        {
            await RunAsync(binaries.PgCtl, ["start", "-w", "-t", "60", "-D", DataDirectory, "-l", LogFile, "-o", options], asPostgres: true);
        }
        catch (InvalidOperationException e)
        {
            throw new InvalidOperationException($"{e.Message}\nserver log:\n{LogTail()}", e);
        }

        IsRunning = true;
    }

    /// <summary>Stops the server at once, like a crash (<c>pg_ctl stop -m immediate</c>): open connections break.</summary>
    public async Task StopAsync()
    {
        var binaries = _binaries ?? throw new InvalidOperationException("the PostgreSQL test server is not initialized");
        await RunAsync(binaries.PgCtl, ["stop", "-w", "-t", "60", "-D", DataDirectory, "-m", "immediate"], asPostgres: true);
        IsRunning = false;
    }

    /// <summary>A connection string for <paramref name="database"/> as the superuser.</summary>
    public string ConnectionString(string database = "postgres") =>
        new NpgsqlConnectionStringBuilder
        {
            Host = "127.0.0.1",
            Port = Port,
            Username = Superuser,
            Database = database,
            Timeout = 10,
        }.ConnectionString;

    /// <summary>A new empty database (UTF-8, C locale) of its own; returns its name.</summary>
    public async Task<string> CreateDatabaseAsync()
    {
        var name = $"t_{Guid.NewGuid():N}";
        await ExecuteAsync($"CREATE DATABASE {name}");
        return name;
    }

    /// <summary>Drops <paramref name="database"/>, closing whatever is still connected to it.</summary>
    public Task DropDatabaseAsync(string database) => ExecuteAsync($"DROP DATABASE IF EXISTS {database} WITH (FORCE)");

    /// <summary>Runs <paramref name="sql"/> on <paramref name="database"/> over a connection of its own.</summary>
    public async Task ExecuteAsync(string sql, string database = "postgres")
    {
        var builder = new NpgsqlConnectionStringBuilder(ConnectionString(database)) { Pooling = false };
        await using var connection = new NpgsqlConnection(builder.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }

    public async Task DisposeAsync()
    {
        if (_root is null)
        {
            return;
        }

        if (IsRunning)
        {
            try
            {
                await StopAsync();
            }
            catch (InvalidOperationException)
            {
                // Deleting the folder below is all that is left to do.
            }
        }

        try
        {
            Directory.Delete(_root, recursive: true);
        }
        catch (IOException)
        {
            // A leftover temporary folder is harmless.
        }
        catch (UnauthorizedAccessException)
        {
            // Same.
        }

        _root = null;
    }

    private static int FreeLoopbackPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private string LogTail()
    {
        try
        {
            var lines = File.ReadAllLines(LogFile);
            return string.Join('\n', lines.TakeLast(30));
        }
        catch (IOException e)
        {
            return $"(no log: {e.Message})";
        }
    }

    private async Task RunAsync(string program, string[] arguments, bool asPostgres)
    {
        var info = new ProcessStartInfo
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            WorkingDirectory = Root,
        };
        if (asPostgres && RunsAsRoot)
        {
            info.FileName = "runuser";
            foreach (var a in (string[])["-u", OsUser, "--", program])
            {
                info.ArgumentList.Add(a);
            }
        }
        else
        {
            info.FileName = program;
        }

        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        info.Environment["LC_ALL"] = "C";
        using var process = Process.Start(info) ?? throw new InvalidOperationException($"could not start {info.FileName}");
        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(CommandTimeout);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new InvalidOperationException($"{Path.GetFileName(program)} {string.Join(' ', arguments)} did not finish within {CommandTimeout.TotalSeconds} s");
        }

        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException(
                $"{Path.GetFileName(program)} {string.Join(' ', arguments)} exited with {process.ExitCode}:\n{await stdout}{await stderr}");
        }
    }
}
