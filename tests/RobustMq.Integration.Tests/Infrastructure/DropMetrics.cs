using System.Globalization;
using System.Text.RegularExpressions;

namespace RobustMq.Integration.Tests.Infrastructure;

/// <summary>Reads <c>robustmq_messages_dropped_total</c> by reason from the broker's <c>/metrics</c> (admin port).</summary>
public sealed class DropMetrics(BrokerFixture broker) : IDisposable
{
    private readonly HttpClient _http = new() { BaseAddress = new Uri($"http://127.0.0.1:{broker.AdminPort}"), Timeout = TimeSpan.FromSeconds(10) };

    /// <summary>The counter for <paramref name="reason"/> now (0 when it was never incremented).</summary>
    public async Task<double> ReadAsync(string reason)
    {
        var body = await _http.GetStringAsync(new Uri("/metrics", UriKind.Relative));
        var pattern = "(?m)^robustmq_messages_dropped_total\\{[^}]*reason=\"" + Regex.Escape(reason) + "\"[^}]*\\} (\\S+)$";
        var match = Regex.Match(body, pattern);
        return match.Success ? double.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture) : 0;
    }

    /// <summary>Waits until the counter for <paramref name="reason"/> reaches <paramref name="expected"/>; fails naming the phase and the last value.</summary>
    public async Task WaitForAsync(string reason, double expected, string phase, TimeSpan? timeout = null)
    {
        var limit = timeout ?? TimeSpan.FromSeconds(10);
        var clock = System.Diagnostics.Stopwatch.StartNew();
        double value;
        while ((value = await ReadAsync(reason)) < expected && clock.Elapsed < limit)
        {
            await Task.Delay(50);
        }

        Assert.True(value == expected, $"{phase}: robustmq_messages_dropped_total{{reason=\"{reason}\"}} expected {expected}, got {value} after {clock.Elapsed.TotalSeconds:F1} s");
    }

    public void Dispose() => _http.Dispose();
}
