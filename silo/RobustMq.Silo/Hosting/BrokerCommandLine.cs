using System.Reflection;

namespace RobustMq.Silo.Hosting;

/// <summary>
/// The command line: <c>--help</c>, <c>--version</c>, <c>--config FILE</c> and configuration overrides
/// (<c>--Section:Key=value</c> or <c>--Section:Key value</c>). Anything else is refused with the usage.
/// </summary>
public sealed class BrokerCommandLine
{
    public const string Usage = """
        Usage: robustmq [--config FILE] [--Section:Key=value ...]
               robustmq --help | --version

        Run it:
          dotnet run --project silo/RobustMq.Silo -c Release                         from a clone: MQTT on 1883, WebSocket on 8083 (/mqtt), admin on 8080
          dotnet run --project silo/RobustMq.Silo -c Release -- --config my.json     with a configuration file layered over appsettings.json

        Configuration, later sources winning: appsettings.json next to the executable, --config FILE (JSON),
        ROBUSTMQ_ environment variables (ROBUSTMQ_Listeners__Tcp__Port=1884), command-line --Section:Key=value.

        Main keys (default):
          --Listeners:Tcp:Port (1883)         --Listeners:Tcp:Address (0.0.0.0)
          --Listeners:WebSocket:Port (8083)   --Listeners:WebSocket:Path (/mqtt)
          --Listeners:Tls:Port (0: off)       --Listeners:Tls:Certificate, --Listeners:Tls:Key (PEM files)
          --Listeners:Wss:Port (0: off)       --Admin:Port (8080: /metrics, /api/...)
          --Cluster:SiloPort (11111)          --Cluster:GatewayPort (30000)
          --Mqtt:MaxPacketSize (1048576)      --Mqtt:MaximumQoS (2)
          --Acl:File (none: allow all)        --Logging:LogLevel:Default (Information)

        Every key and the ACL file format: docs/configuration.md.
        Exit codes: 0 stopped normally, 2 bad command line or configuration (the message names the key).
        """;

    private BrokerCommandLine(bool help, bool version, string? configFile, IReadOnlyList<string> overrides)
    {
        Help = help;
        Version = version;
        ConfigFile = configFile;
        Overrides = overrides;
    }

    public bool Help { get; }

    public bool Version { get; }

    /// <summary>The <c>--config</c> file as given, if any.</summary>
    public string? ConfigFile { get; }

    /// <summary>The configuration overrides, as <c>--Section:Key=value</c> (for the command-line provider).</summary>
    public IReadOnlyList<string> Overrides { get; }

    /// <summary>The one line printed by <c>--version</c>.</summary>
    public static string VersionLine
    {
        get
        {
            var version = typeof(BrokerCommandLine).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "unknown";
            var orleans = typeof(Orleans.Runtime.SiloAddress).Assembly.GetName().Version;
            return $"robustmq {version.Split('+')[0]} (Orleans {orleans?.ToString(3)}, .NET {Environment.Version})";
        }
    }

    /// <summary>Reads the arguments; throws <see cref="ConfigurationException"/> naming the first one that is not understood.</summary>
    public static BrokerCommandLine Parse(IReadOnlyList<string> args)
    {
        bool help = false, version = false;
        string? configFile = null;
        var overrides = new List<string>(args.Count);
        for (var i = 0; i < args.Count; i++)
        {
            var arg = args[i];
            switch (arg)
            {
                case "--help" or "-h" or "-?":
                    help = true;
                    continue;
                case "--version":
                    version = true;
                    continue;
                case "--config":
                    if (i + 1 >= args.Count)
                    {
                        throw new ConfigurationException("--config needs a file name");
                    }

                    configFile = args[++i];
                    continue;
            }

            if (arg.StartsWith("--config=", StringComparison.Ordinal))
            {
                configFile = arg["--config=".Length..];
                continue;
            }

            if (!arg.StartsWith("--", StringComparison.Ordinal) || arg.Length == 2 || arg[2] is '=' or '-')
            {
                throw new ConfigurationException($"unexpected argument '{arg}': options are --Section:Key=value, --config FILE, --help, --version");
            }

            var equals = arg.IndexOf('=', StringComparison.Ordinal);
            if (equals > 0)
            {
                overrides.Add(arg);
                continue;
            }

            // --Section:Key value
            if (i + 1 >= args.Count || args[i + 1].StartsWith("--", StringComparison.Ordinal))
            {
                throw new ConfigurationException($"{arg} needs a value ({arg}=value)");
            }

            overrides.Add($"{arg}={args[++i]}");
        }

        return new BrokerCommandLine(help, version, configFile, overrides);
    }
}
