using System.Diagnostics;
using System.Net.Sockets;

namespace RobustMq.Integration.Tests.Infrastructure;

/// <summary>
/// A throwaway server process for tests (Debian's redis-server, mariadbd): started on a free loopback port with its
/// files in a temp folder, killed and deleted when the test process ends. One of each serves a whole run
/// (<see cref="SharedRedis"/>, <see cref="SharedMariaDb"/>); tests stay apart by their keys and databases.
/// </summary>
public sealed class ServerProcess : IDisposable
{
    private readonly Process _process;

    private ServerProcess(Process process, string folder, int port)
    {
        _process = process;
        Folder = folder;
        Port = port;
    }

    /// <summary>bash: runs "$@" after the parent pid and the folder; kills it and deletes the folder when the parent or it ends.</summary>
    private const string Watchdog = """
        parent=$1; folder=$2; shift 2
        "$@" & child=$!
        trap 'kill -9 "$child" 2>/dev/null; wait "$child" 2>/dev/null; rm -rf "$folder"; exit 0' TERM INT
        while kill -0 "$parent" 2>/dev/null && kill -0 "$child" 2>/dev/null; do sleep 1; done
        kill -9 "$child" 2>/dev/null; wait "$child" 2>/dev/null; rm -rf "$folder"
        """;

    public string Folder { get; }

    public int Port { get; }

    /// <summary>
    /// Starts <paramref name="program"/> with the arguments <paramref name="arguments"/> makes for a port and a folder,
    /// and waits until the port accepts connections (<paramref name="timeout"/>); tries 3 ports.
    /// </summary>
    /// <exception cref="InvalidOperationException">It did not start; the message holds its output.</exception>
    public static async Task<ServerProcess> StartAsync(string program, Func<int, string, string[]> arguments, string name, TimeSpan timeout, Func<string, Task>? prepare = null)
    {
        var folder = Directory.CreateTempSubdirectory($"robustmq-{name}-").FullName;
        if (prepare is not null)
        {
            await prepare(folder);
        }

        string last = "";
        for (var attempt = 0; attempt < 3; attempt++)
        {
            var port = FreePorts.Next();
            // Under a watchdog: the server is killed and its folder deleted once this test process is gone, however it
            // ended (a killed test host runs no exit handler).
            var info = new ProcessStartInfo("/bin/bash") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
            info.ArgumentList.Add("-c");
            info.ArgumentList.Add(Watchdog);
            info.ArgumentList.Add("watchdog");
            info.ArgumentList.Add(Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture));
            info.ArgumentList.Add(folder);
            info.ArgumentList.Add(program);
            foreach (var argument in arguments(port, folder))
            {
                info.ArgumentList.Add(argument);
            }

            var process = Process.Start(info) ?? throw new InvalidOperationException($"{program} did not start");
            var output = new System.Text.StringBuilder();
            process.OutputDataReceived += (_, e) => { lock (output) { output.AppendLine(e.Data); } };
            process.ErrorDataReceived += (_, e) => { lock (output) { output.AppendLine(e.Data); } };
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
            var clock = Stopwatch.StartNew();
            while (clock.Elapsed < timeout && !process.HasExited)
            {
                if (await AcceptsAsync(port))
                {
                    var server = new ServerProcess(process, folder, port);
                    AppDomain.CurrentDomain.ProcessExit += (_, _) => server.Dispose();
                    return server;
                }

                await Task.Delay(100);
            }

            lock (output)
            {
                last = output.ToString();
            }

            Kill(process);
        }

        throw new InvalidOperationException($"{name} did not accept connections in 3 attempts; last output:\n{last}");
    }

    public void Dispose()
    {
        Kill(_process);
        try
        {
            Directory.Delete(Folder, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    private static void Kill(Process process)
    {
        try
        {
            process.Kill(entireProcessTree: true);
            process.WaitForExit(5000);
        }
        catch (InvalidOperationException)
        {
        }

        process.Dispose();
    }

    private static async Task<bool> AcceptsAsync(int port)
    {
        using var client = new TcpClient();
        try
        {
            await client.ConnectAsync("127.0.0.1", port).WaitAsync(TimeSpan.FromSeconds(1));
            return true;
        }
        catch (Exception ex) when (ex is SocketException or TimeoutException)
        {
            return false;
        }
    }
}

/// <summary>One redis-server for the test run (no persistence).</summary>
public static class SharedRedis
{
    private static readonly Lazy<Task<ServerProcess>> Server = new(() => ServerProcess.StartAsync(
        "redis-server",
        (port, folder) => ["--port", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", folder, "--protected-mode", "no"],
        "redis",
        TimeSpan.FromSeconds(20)));

    public static Task<ServerProcess> GetAsync() => Server.Value;

    /// <summary>The StackExchange.Redis configuration string of the shared server.</summary>
    public static async Task<string> ConnectionStringAsync() => $"127.0.0.1:{(await GetAsync()).Port}";
}

/// <summary>
/// One MariaDB server for the test run (Debian's mariadb-server): a data folder made by mariadb-install-db, the server
/// without grant tables (any user, no password; loopback only), so tests connect as root.
/// </summary>
public static class SharedMariaDb
{
    private static readonly Lazy<Task<ServerProcess>> Server = new(StartAsync);

    public static Task<ServerProcess> GetAsync() => Server.Value;

    /// <summary>A MySqlConnector connection string to <paramref name="database"/> (none: the server only).</summary>
    public static async Task<string> ConnectionStringAsync(string? database = null) =>
        $"Server=127.0.0.1;Port={(await GetAsync()).Port};User ID=root;Password=;SslMode=None;AllowPublicKeyRetrieval=true" + (database is null ? "" : $";Database={database}");

    private static Task<ServerProcess> StartAsync()
    {
        // As root the server must be told to run as root (it refuses otherwise).
        string[] asUser = Environment.IsPrivilegedProcess ? ["--user=root"] : [];
        return ServerProcess.StartAsync(
            "mariadbd",
            (port, folder) =>
            [
                "--no-defaults", $"--datadir={Path.Combine(folder, "data")}", $"--port={port}", "--bind-address=127.0.0.1",
                $"--socket={Path.Combine(folder, "mysqld.sock")}", $"--pid-file={Path.Combine(folder, "mysqld.pid")}",
                "--skip-grant-tables", "--innodb-buffer-pool-size=16M", "--skip-log-bin", .. asUser,
            ],
            "mariadb",
            TimeSpan.FromSeconds(60),
            async folder =>
            {
                using var install = CliProcess.Start("mariadb-install-db", ["--no-defaults", $"--datadir={Path.Combine(folder, "data")}", "--skip-test-db", "--auth-root-authentication-method=normal", .. asUser]);
                var code = await install.WaitForExitAsync("mariadb-install-db", TimeSpan.FromSeconds(120));
                if (code != 0)
                {
                    throw new InvalidOperationException($"mariadb-install-db exited with {code}: {install.Output}");
                }
            });
    }
}
