namespace RobustMq.Integration.Tests.Infrastructure;

/// <summary>mosquitto_sub / mosquitto_pub (Debian mosquitto-clients) pointed at the fixture's broker.</summary>
public static class Mosquitto
{
    /// <summary>Output format of received messages: <c>MSG topic qos retain payload</c>.</summary>
    public const string Format = "MSG %t %q %r %p";

    /// <summary>
    /// Starts mosquitto_sub with debug output (to see SUBACK) and <see cref="Format"/>, line-buffered through
    /// stdbuf (stdout is a pipe, which libc would otherwise buffer until exit).
    /// </summary>
    public static CliProcess Sub(BrokerFixture broker, string version, params string[] arguments) =>
        CliProcess.Start("/usr/bin/stdbuf", ["-oL", "/usr/bin/mosquitto_sub", .. Common(broker, version), "-d", "-F", Format, .. arguments]);

    /// <summary>Runs mosquitto_pub to completion and checks it succeeded.</summary>
    public static async Task PubAsync(BrokerFixture broker, string version, params string[] arguments)
    {
        using var pub = CliProcess.Start("/usr/bin/mosquitto_pub", [.. Common(broker, version), .. arguments]);
        var code = await pub.WaitForExitAsync($"mosquitto_pub {string.Join(' ', arguments)}");
        Assert.True(code == 0, $"mosquitto_pub exited with {code}: {pub.Describe()}");
    }

    public static Task<string> WaitSubscribedAsync(CliProcess sub, string phase) =>
        sub.WaitForLineAsync(l => l.Contains("received SUBACK", StringComparison.Ordinal), $"{phase}: mosquitto_sub waits for SUBACK");

    public static Task<string> WaitMessageAsync(CliProcess sub, string phase) =>
        sub.WaitForLineAsync(l => l.StartsWith("MSG ", StringComparison.Ordinal), $"{phase}: mosquitto_sub waits for a message");

    private static string[] Common(BrokerFixture broker, string version) =>
        ["-h", "127.0.0.1", "-p", broker.MqttPort.ToString(System.Globalization.CultureInfo.InvariantCulture), "-V", version];
}
