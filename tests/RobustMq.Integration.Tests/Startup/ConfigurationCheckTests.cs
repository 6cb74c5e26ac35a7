using Microsoft.Extensions.Configuration;
using RobustMq.Silo.Hosting;

namespace RobustMq.Integration.Tests.Startup;

/// <summary>
/// <see cref="ConfigurationCheck"/> on every kind of key an options class can have, including kinds no broker section
/// has yet (TimeSpan, double, nullable, unsigned), so a new key of such a type is checked like the others.
/// </summary>
[Trait("Topology", "SingleNode")]
public sealed class ConfigurationCheckTests
{
    [Theory]
    [InlineData("Count", "x", "Probe:Count must be a whole number (-2147483648 to 2147483647) (got 'x')")]
    [InlineData("Count", "", "Probe:Count must be a whole number (-2147483648 to 2147483647) (got '')")]
    [InlineData("Limit", "-1", "Probe:Limit must be a whole number (got '-1')")]
    [InlineData("Flag", "1", "Probe:Flag must be true or false (got '1')")]
    [InlineData("Period", "30s", "Probe:Period must be a time span such as 00:00:30 (got '30s')")]
    [InlineData("Ratio", "half", "Probe:Ratio must be a number (got 'half')")]
    [InlineData("Mode", "Sideways", "Probe:Mode must be one of Up, Down (got 'Sideways')")]
    [InlineData("Optional", "soon", "Probe:Optional must be a time span such as 00:00:30 (got 'soon')")]
    [InlineData("Inner:Depth", "deep", "Probe:Inner:Depth must be a whole number (-2147483648 to 2147483647) (got 'deep')")]
    public void Value_of_the_wrong_type_names_the_key_and_what_is_expected(string key, string value, string expected)
    {
        var ex = Assert.Throws<ConfigurationException>(() => Check(($"Probe:{key}", value)));

        Assert.Equal(expected, ex.Message);
    }

    [Fact]
    public void Values_of_the_right_type_pass_whatever_their_case()
    {
        var warnings = Check(
            ("Probe:count", "7"), ("Probe:Limit", "4000000000"), ("Probe:Flag", "TRUE"), ("Probe:Period", "00:00:30"),
            ("Probe:Ratio", "0.5"), ("Probe:Mode", "down"), ("Probe:Optional", ""), ("Probe:Path", "/etc/x"), ("Probe:Inner:Depth", "2"));

        Assert.Empty(warnings);
    }

    [Fact]
    public void Unknown_and_read_only_keys_are_warnings()
    {
        var warnings = Check(("Probe:Cuont", "1"), ("Probe:Inner:Dpeth", "1"), ("Probe:Computed", "1"));

        Assert.Equal(
        [
            "Probe:Computed cannot be set; it is ignored",
            "Probe:Cuont is not a known key; it is ignored (did you mean Probe:Count?)",
            "Probe:Inner:Dpeth is not a known key; it is ignored (did you mean Probe:Inner:Depth?)",
        ],
            warnings.Order(StringComparer.Ordinal));
    }

    private static IReadOnlyList<string> Check(params (string Key, string Value)[] values)
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(values.Select(v => new KeyValuePair<string, string?>(v.Key, v.Value)))
            .Build();
        return ConfigurationCheck.Run(configuration, [("Probe", typeof(ProbeOptions))]);
    }

    public enum ProbeMode
    {
        Up,
        Down,
    }

    public sealed class ProbeOptions
    {
        public int Count { get; set; }

        public uint Limit { get; set; }

        public bool Flag { get; set; }

        public TimeSpan Period { get; set; }

        public double Ratio { get; set; }

        public ProbeMode Mode { get; set; }

        public TimeSpan? Optional { get; set; }

        public string? Path { get; set; }

        public ProbeInner Inner { get; set; } = new();

        public int Computed => Count * 2;
    }

    public sealed class ProbeInner
    {
        public int Depth { get; set; }
    }
}
