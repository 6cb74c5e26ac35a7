using System.Diagnostics;
using System.Globalization;

namespace RobustMq.Integration.Tests.Infrastructure;

/// <summary>The real <c>robust-ctl</c> (built beside the tests, <c>robust-ctl.dll</c>) pointed at a broker's admin port.</summary>
public static class RobustCtl
{
    /// <summary>
    /// Starts <c>robust-ctl {arguments}</c> with its standard output and error redirected, for a command that streams
    /// (<c>mqtt subscribe</c>): the caller reads them and waits for (or ends) the process.
    /// </summary>
    public static Process Start(IEnumerable<string> arguments)
    {
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        info.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "robust-ctl.dll"));
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        return Process.Start(info)!;
    }

    /// <summary>Runs <c>robust-ctl --server 127.0.0.1:{adminPort} {arguments}</c> to its end (60 s at most): its exit code, standard output and error.</summary>
    public static async Task<(int ExitCode, string Output, string Error)> RunAsync(int adminPort, params string[] arguments)
    {
        using var process = Start(["--server", $"127.0.0.1:{adminPort.ToString(CultureInfo.InvariantCulture)}", .. arguments]);
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"robust-ctl {string.Join(' ', arguments)} did not end within 60 s");
        }

        return (process.ExitCode, await output, await error);
    }
}
