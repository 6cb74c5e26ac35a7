using System.Diagnostics;
using System.Threading.Channels;

namespace RobustMq.Integration.Tests.Infrastructure;

/// <summary>
/// The real broker executable (<c>robustmq.dll</c>) on free loopback ports, its stdout and stderr read line by line
/// into one log that can be awaited; killed on dispose.
/// </summary>
public sealed class BrokerExecutable : IAsyncDisposable
{
    private readonly Process _process;
    private readonly Channel<string> _lines = Channel.CreateUnbounded<string>();
    private readonly List<string> _seen = [];
    private int _examined;
    private int _open = 2;

    private BrokerExecutable(Process process, IReadOnlyDictionary<string, int> ports, string? dataPath)
    {
        _process = process;
        Ports = ports;
        DataPath = dataPath;
    }

    /// <summary>The Storage:Path given to the broker (a new temporary folder, deleted on dispose), unless the arguments set one.</summary>
    public string? DataPath { get; }

    /// <summary>The broker's process id.</summary>
    public int ProcessId => _process.Id;

    /// <summary>The port given for each key (<c>Listeners:Tcp:Port</c>, ...), unless the caller's arguments set it.</summary>
    public IReadOnlyDictionary<string, int> Ports { get; }

    public int MqttPort => Ports["Listeners:Tcp:Port"];

    /// <summary>Every line the broker has written so far (stdout and stderr, in arrival order).</summary>
    public string Log
    {
        get
        {
            lock (_seen)
            {
                while (_lines.Reader.TryRead(out var line))
                {
                    _seen.Add(line);
                }

                return string.Join('\n', _seen);
            }
        }
    }

    /// <summary>The port keys given free loopback ports unless an argument sets them.</summary>
    public static readonly string[] PortKeys = ["Listeners:Tcp:Port", "Listeners:WebSocket:Port", "Admin:Port", "Cluster:SiloPort", "Cluster:GatewayPort"];

    /// <summary>
    /// Starts the broker: free ports for every <see cref="PortKeys"/> not in <paramref name="arguments"/>, loopback
    /// listeners, then the arguments; <paramref name="environment"/> adds variables to the process's environment.
    /// </summary>
    public static BrokerExecutable Start(IEnumerable<string> arguments, bool givePorts = true, IReadOnlyDictionary<string, string>? environment = null)
    {
        var args = arguments.ToList();
        var info = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "robustmq.dll"));
        // Tiered compilation on for the tests' brokers (unless a test says otherwise): the shipped broker compiles every
        // method fully optimised at its first call (RobustMq.Silo.csproj, TieredCompilation), which makes a start take
        // ~4 s instead of ~2 s; the test run starts some 200 brokers, and what they test does not depend on the JIT.
        // Benchmarks and deploy/local-cluster.sh run the broker as shipped.
        info.Environment["DOTNET_TieredCompilation"] = "1";
        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            info.Environment[name] = value;
        }

        var ports = new Dictionary<string, int>();
        if (givePorts)
        {
            foreach (var key in PortKeys)
            {
                if (!args.Exists(a => a.StartsWith($"--{key}=", StringComparison.Ordinal)))
                {
                    ports[key] = FreePorts.Next();
                    info.ArgumentList.Add($"--{key}={ports[key]}");
                }
            }

            foreach (var address in new[] { "Listeners:Tcp:Address", "Listeners:WebSocket:Address", "Admin:Address" })
            {
                if (!args.Exists(a => a.StartsWith($"--{address}=", StringComparison.Ordinal)))
                {
                    info.ArgumentList.Add($"--{address}=127.0.0.1");
                }
            }
        }

        string? dataPath = null;
        if (!args.Exists(a => a.StartsWith("--Storage:Path=", StringComparison.Ordinal)))
        {
            dataPath = Directory.CreateTempSubdirectory("robustmq-data-").FullName;
            info.ArgumentList.Add($"--Storage:Path={dataPath}");
        }

        foreach (var argument in args)
        {
            info.ArgumentList.Add(argument);
        }

        var process = new Process { StartInfo = info, EnableRaisingEvents = true };
        var broker = new BrokerExecutable(process, ports, dataPath);
        process.OutputDataReceived += (_, e) => broker.OnLine(e.Data);
        process.ErrorDataReceived += (_, e) => broker.OnLine(e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return broker;
    }

    /// <summary>Waits for the first line, after those an earlier wait already looked at, that satisfies <paramref name="match"/>.</summary>
    public async Task<string> WaitForLineAsync(Func<string, bool> match, string phase, TimeSpan? timeout = null)
    {
        var limit = timeout ?? TimeSpan.FromSeconds(60);
        using var cts = new CancellationTokenSource(limit);
        try
        {
            while (true)
            {
                lock (_seen)
                {
                    while (_lines.Reader.TryRead(out var line))
                    {
                        _seen.Add(line);
                    }

                    while (_examined < _seen.Count)
                    {
                        var line = _seen[_examined++];
                        if (match(line))
                        {
                            return line;
                        }
                    }
                }

                if (!await _lines.Reader.WaitToReadAsync(cts.Token))
                {
                    throw new InvalidOperationException($"{phase}: the broker's output ended without the expected line (exit code {ExitCodeOrNone()}); output:\n{Log}");
                }
            }
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"{phase}: no matching line within {limit.TotalSeconds} s; output:\n{Log}");
        }
    }

    /// <summary>Waits until the host says it has started (every listener bound, grains ready): "Application started".</summary>
    public Task<string> WaitStartedAsync(string phase, TimeSpan? timeout = null) =>
        WaitForLineAsync(l => l.Contains("Application started", StringComparison.Ordinal), phase, timeout);

    /// <summary>Waits for the broker to exit by itself; returns its exit code with every output line read.</summary>
    public async Task<int> WaitForExitAsync(string phase, TimeSpan? timeout = null)
    {
        var limit = timeout ?? TimeSpan.FromSeconds(60);
        using var cts = new CancellationTokenSource(limit);
        try
        {
            await _process.WaitForExitAsync(cts.Token);
            while (await _lines.Reader.WaitToReadAsync(cts.Token))
            {
                while (_lines.Reader.TryRead(out var line))
                {
                    lock (_seen)
                    {
                        _seen.Add(line);
                    }
                }
            }
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"{phase}: the broker did not exit within {limit.TotalSeconds} s; output:\n{Log}");
        }

        return _process.ExitCode;
    }

    /// <summary>Whether the process has ended.</summary>
    public bool HasExited => _process.HasExited;

    /// <summary>Kills the process at once (SIGKILL, as <c>kill -9</c>) and waits for it to be gone.</summary>
    public void Kill()
    {
        _process.Kill(entireProcessTree: true);
        _process.WaitForExit();
    }

    /// <summary>Sends a POSIX signal to the process (<c>kill -SIGNAL pid</c>): 2 is SIGINT (Ctrl-C), 15 SIGTERM.</summary>
    public async Task SignalAsync(int signal)
    {
        var pid = _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture);
        using var kill = Process.Start("kill", [$"-{signal}", pid])!;
        await kill.WaitForExitAsync();
        Assert.True(kill.ExitCode == 0, $"kill -{signal} {pid} failed with exit code {kill.ExitCode}");
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(10));
            }
        }
        catch (InvalidOperationException)
        {
            // Never started or already gone.
        }

        _process.Dispose();
        if (DataPath is not null)
        {
            Directory.Delete(DataPath, recursive: true);
        }
    }

    private string ExitCodeOrNone() => _process.HasExited ? _process.ExitCode.ToString(System.Globalization.CultureInfo.InvariantCulture) : "still running";

    private void OnLine(string? line)
    {
        if (line is not null)
        {
            _lines.Writer.TryWrite(line);
        }
        else if (Interlocked.Decrement(ref _open) == 0)
        {
            _lines.Writer.TryComplete();
        }
    }
}
