using System.Diagnostics;
using System.Globalization;

namespace RobustMq.Integration.Tests.Infrastructure;

/// <summary>The real <c>robust-ctl</c> (built beside the tests, <c>robust-ctl.dll</c>) pointed at a broker's admin port.</summary>
public static class RobustCtl
{
    /// <summary>Runs <c>robust-ctl --server 127.0.0.1:{adminPort} {arguments}</c> to its end (60 s at most): its exit code, standard output and error.</summary>
    public static async Task<(int ExitCode, string Output, string Error)> RunAsync(int adminPort, params string[] arguments)
    {
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        info.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "robust-ctl.dll"));
        info.ArgumentList.Add("--server");
        info.ArgumentList.Add($"127.0.0.1:{adminPort.ToString(CultureInfo.InvariantCulture)}");
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        using var process = Process.Start(info)!;
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
