using System.Diagnostics;
using System.Threading.Channels;

namespace RobustMq.Integration.Tests.Infrastructure;

/// <summary>A command-line client (mosquitto_pub/_sub) whose output lines can be awaited; killed on dispose.</summary>
public sealed class CliProcess : IDisposable
{
    private readonly Process _process;
    private readonly Channel<string> _lines = Channel.CreateUnbounded<string>();
    private readonly List<string> _seen = [];
    private readonly List<string> _errors = [];

    private CliProcess(Process process)
    {
        _process = process;
    }

    public string Output => string.Join('\n', _seen);

    public static CliProcess Start(string program, params string[] arguments)
    {
        var info = new ProcessStartInfo(program)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        var process = new Process { StartInfo = info, EnableRaisingEvents = true };
        var cli = new CliProcess(process);
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is null)
            {
                cli._lines.Writer.TryComplete();
            }
            else
            {
                cli._lines.Writer.TryWrite(e.Data);
            }
        };
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                lock (cli._errors)
                {
                    cli._errors.Add(e.Data);
                }
            }
        };
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return cli;
    }

    /// <summary>Waits for the first output line (after those already consumed) that satisfies <paramref name="match"/>.</summary>
    public async Task<string> WaitForLineAsync(Func<string, bool> match, string phase, TimeSpan? timeout = null)
    {
        var limit = timeout ?? TimeSpan.FromSeconds(10);
        using var cts = new CancellationTokenSource(limit);
        try
        {
            while (await _lines.Reader.WaitToReadAsync(cts.Token))
            {
                while (_lines.Reader.TryRead(out var line))
                {
                    _seen.Add(line);
                    if (match(line))
                    {
                        return line;
                    }
                }
            }

            throw new InvalidOperationException($"{phase}: the process ended without the expected line; {Describe()}");
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"{phase}: no matching line within {limit.TotalSeconds} s; {Describe()}");
        }
    }

    /// <summary>Waits for the process to exit by itself and returns its exit code.</summary>
    public async Task<int> WaitForExitAsync(string phase, TimeSpan? timeout = null)
    {
        var limit = timeout ?? TimeSpan.FromSeconds(10);
        using var cts = new CancellationTokenSource(limit);
        try
        {
            await _process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"{phase}: the process did not exit within {limit.TotalSeconds} s; {Describe()}");
        }

        while (_lines.Reader.TryRead(out var line))
        {
            _seen.Add(line);
        }

        return _process.ExitCode;
    }

    /// <summary>SIGKILL: the client gets no chance to send DISCONNECT.</summary>
    public void Kill()
    {
        if (!_process.HasExited)
        {
            _process.Kill();
        }
    }

    public string Describe()
    {
        string errors;
        lock (_errors)
        {
            errors = string.Join(" | ", _errors);
        }

        return $"stdout [{string.Join(" | ", _seen)}] stderr [{errors}]";
    }

    public void Dispose()
    {
        try
        {
            Kill();
        }
        catch (InvalidOperationException)
        {
            // Never started or already gone.
        }

        _process.Dispose();
    }
}
