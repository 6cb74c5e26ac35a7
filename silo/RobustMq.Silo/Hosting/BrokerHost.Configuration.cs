using System.Net;
using Microsoft.Extensions.Options;
using RobustMq.Abstractions.Options;
using RobustMq.Gateway.Hosting;
using RobustMq.Gateway.Listeners;
using RobustMq.Gateway.Security.Authentication;
using RobustMq.Gateway.Security.Blacklist;
using RobustMq.Gateway.Sys;
using RobustMq.Grains.Storage;

namespace RobustMq.Silo.Hosting;

public static partial class BrokerHost
{
    /// <summary>appsettings.json, then <c>--config FILE</c>, then <c>ROBUSTMQ_</c> variables, then command-line overrides.</summary>
    private static void Configure(ConfigurationManager configuration, BrokerCommandLine command)
    {
        // The web host reads every environment variable as a key (CLUSTER=2 in a shell would be the Cluster section):
        // only ROBUSTMQ_ ones configure the broker (DOTNET_ and ASPNETCORE_ ones still set up the host).
        var sources = configuration.Sources;
        for (var i = sources.Count - 1; i >= 0; i--)
        {
            if (sources[i] is Microsoft.Extensions.Configuration.EnvironmentVariables.EnvironmentVariablesConfigurationSource { Prefix: null or "" })
            {
                sources.RemoveAt(i);
            }
        }

        if (command.ConfigFile is { } extra)
        {
            var path = FindConfigFile(extra)
                ?? throw new ConfigurationException($"--config file '{extra}' does not exist");

            try
            {
                configuration.AddJsonFile(path, optional: false, reloadOnChange: false);
            }
            catch (InvalidDataException ex)
            {
                throw new ConfigurationException($"--config file '{extra}' is not valid JSON: {Innermost(ex).Message}");
            }

            // Relative paths inside the file (Acl:File) are relative to the file's folder.
            var acl = configuration["Acl:File"];
            if (!string.IsNullOrEmpty(acl) && !Path.IsPathRooted(acl))
            {
                var candidate = Path.Combine(Path.GetDirectoryName(path)!, acl);
                if (File.Exists(candidate))
                {
                    configuration["Acl:File"] = candidate;
                }
            }
        }

        configuration.AddEnvironmentVariables("ROBUSTMQ_");
        configuration.AddCommandLine([.. command.Overrides]);
    }

    /// <summary>
    /// A relative <c>--config</c> path is looked up from the current directory, then from its parents
    /// (<c>dotnet run --project silo/RobustMq.Silo</c> starts in the project folder, two levels down).
    /// </summary>
    private static string? FindConfigFile(string name)
    {
        if (Path.IsPathRooted(name))
        {
            return File.Exists(name) ? name : null;
        }

        var folder = new DirectoryInfo(Directory.GetCurrentDirectory());
        for (var depth = 0; depth < 4 && folder is not null; depth++, folder = folder.Parent)
        {
            var candidate = Path.Combine(folder.FullName, name);
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        return null;
    }

    /// <summary>
    /// Every section's checks, before the host is built: the options validators also run at start
    /// (<c>ValidateOnStart</c>), but there a failure is logged with a stack trace before the process ends.
    /// </summary>
    private static void Validate(IConfiguration configuration, ClusterOptions cluster, AdminOptions admin, ListenerOptions listeners, NodeOptions node)
    {
        var errors = new List<string>();
        if (node.ParseRoles() is not { } roles)
        {
            errors.Add($"Node:Roles must be gateway, grains, or gateway,grains (got '{node.Roles}')");
        }
        else if (!(roles.Gateway && roles.Grains) && !cluster.IsAdoNet)
        {
            errors.Add($"Node:Roles '{node.Roles}' needs a cluster (Cluster:Mode AdoNet): a single node must be both gateway and grains");
        }

        Check(errors, new ListenerOptionsValidator().Validate(null, listeners));
        Check(errors, new MqttOptionsValidator().Validate(null, configuration.GetSection(MqttOptions.Section).Get<MqttOptions>() ?? new MqttOptions()));
        Check(errors, new AclOptionsValidator().Validate(null, configuration.GetSection(AclOptions.Section).Get<AclOptions>() ?? new AclOptions()));
        Check(errors, new AuthOptionsValidator().Validate(null, configuration.GetSection(AuthOptions.Section).Get<AuthOptions>() ?? new AuthOptions()));
        Check(errors, new FlappingOptionsValidator().Validate(null, configuration.GetSection(FlappingOptions.Section).Get<FlappingOptions>() ?? new FlappingOptions()));
        Check(errors, new StorageOptionsValidator().Validate(null, configuration.GetSection(StorageOptions.Section).Get<StorageOptions>() ?? new StorageOptions()));
        errors.AddRange((configuration.GetSection(RobustMq.Gateway.Ops.TraceOptions.Section).Get<RobustMq.Gateway.Ops.TraceOptions>() ?? new()).Problems());
        errors.AddRange((configuration.GetSection(RobustMq.Gateway.Ops.AlarmOptions.Section).Get<RobustMq.Gateway.Ops.AlarmOptions>() ?? new()).Problems());
        if ((configuration.GetSection(RobustMq.Gateway.Ops.SlowSubsOptions.Section).Get<RobustMq.Gateway.Ops.SlowSubsOptions>() ?? new()).ToSettings().Problem("SlowSubs:") is { } slowSubs)
        {
            errors.Add(slowSubs);
        }

        var sys = configuration.GetSection(SysOptions.Section).Get<SysOptions>() ?? new SysOptions();
        if (sys.IntervalSeconds < 0)
        {
            errors.Add($"Sys:IntervalSeconds must be 0 (off) or more (got {sys.IntervalSeconds})");
        }

        if (cluster.Mode is not ("Localhost" or "AdoNet"))
        {
            errors.Add($"Cluster:Mode must be Localhost or AdoNet (got '{cluster.Mode}')");
        }

        if (cluster.IsAdoNet && string.IsNullOrWhiteSpace(cluster.ConnectionString))
        {
            errors.Add("Cluster:ConnectionString is required with Cluster:Mode AdoNet (an Npgsql connection string of the cluster database)");
        }

        var storage = configuration.GetSection(StorageOptions.Section).Get<StorageOptions>() ?? new StorageOptions();
        if (cluster.IsAdoNet && (storage.Default != StorageBackend.Postgres || !storage.Postgres.Shared))
        {
            // Every silo serves any session and any topic shard: what one silo stores, the others must read.
            errors.Add($"Cluster:Mode AdoNet needs Storage:Default Postgres with Storage:Postgres:Shared true (got {storage.Default}, Shared {storage.Postgres.Shared}): leave both unset to store in the cluster database");
        }

        if (cluster.ProbeTimeoutMs is < 200 or > 60_000)
        {
            errors.Add($"Cluster:ProbeTimeoutMs must be 200 .. 60000 (got {cluster.ProbeTimeoutMs})");
        }

        if (cluster.MissedProbesLimit is < 1 or > 10)
        {
            errors.Add($"Cluster:MissedProbesLimit must be 1 .. 10 (got {cluster.MissedProbesLimit})");
        }

        if (cluster.AdvertisedAddress is { Length: > 0 } advertised && !IPAddress.TryParse(advertised, out _))
        {
            errors.Add($"Cluster:AdvertisedAddress must be an IP address (got '{advertised}')");
        }

        ListenerOptionsValidator.CheckPort(errors, "Cluster:SiloPort", cluster.SiloPort);
        ListenerOptionsValidator.CheckPort(errors, "Cluster:GatewayPort", cluster.GatewayPort);
        if (cluster.SiloPort == cluster.GatewayPort)
        {
            errors.Add($"Cluster:GatewayPort must differ from Cluster:SiloPort (both {cluster.SiloPort})");
        }

        if (admin.Enabled)
        {
            ListenerOptionsValidator.CheckPort(errors, "Admin:Port", admin.Port);
            if (!IPAddress.TryParse(admin.Address, out _))
            {
                errors.Add($"Admin:Address must be an IP address (got '{admin.Address}')");
            }

            if ((listeners.WebSocket.Enabled && admin.Port == listeners.WebSocket.Port) || (listeners.Tcp.Enabled && admin.Port == listeners.Tcp.Port)
                || (listeners.Tls.Enabled && admin.Port == listeners.Tls.Port) || (listeners.Wss.Enabled && admin.Port == listeners.Wss.Port))
            {
                errors.Add($"Admin:Port must differ from the MQTT listener ports (got {admin.Port})");
            }

            if (admin.TokenTtlMinutes is < 1 or > 10_080)
            {
                errors.Add($"Admin:TokenTtlMinutes must be 1-10080 (got {admin.TokenTtlMinutes})");
            }

            if (admin.JwtSecret is { } secret && System.Text.Encoding.UTF8.GetByteCount(secret) < 32)
            {
                errors.Add("Admin:JwtSecret must be at least 32 bytes (HS256)");
            }

            if (!UserApiNames.IsValid(admin.Username))
            {
                errors.Add($"Admin:Username must be 1 to 65,535 bytes of UTF-8 without U+0000 (got '{admin.Username}')");
            }

            if (admin.Password is { Length: < 8 })
            {
                errors.Add("Admin:Password must be at least 8 characters");
            }
        }

        if (errors.Count > 0)
        {
            throw new ConfigurationException(string.Join("; ", errors));
        }
    }

    /// <summary>The JSON reader's own message (with line and position) under the configuration provider's wrappers.</summary>
    private static Exception Innermost(Exception ex)
    {
        while (ex.InnerException is not null)
        {
            ex = ex.InnerException;
        }

        return ex;
    }

    private static void Check(List<string> errors, ValidateOptionsResult result)
    {
        if (result.Failed)
        {
            errors.AddRange(result.Failures);
        }
    }

    /// <summary>Every port the broker listens on, with its key and the address it binds.</summary>
    private static IEnumerable<(string Key, IPAddress Address, int Port)> Endpoints(ClusterOptions cluster, AdminOptions admin, ListenerOptions listeners)
    {
        if (listeners.Tcp.Enabled)
        {
            yield return ("Listeners:Tcp:Port", IPAddress.Parse(listeners.Tcp.Address), listeners.Tcp.Port);
        }

        if (listeners.WebSocket.Enabled)
        {
            yield return ("Listeners:WebSocket:Port", IPAddress.Parse(listeners.WebSocket.Address), listeners.WebSocket.Port);
        }

        if (listeners.Tls.Enabled)
        {
            yield return ("Listeners:Tls:Port", IPAddress.Parse(listeners.Tls.Address), listeners.Tls.Port);
        }

        if (listeners.Wss.Enabled)
        {
            yield return ("Listeners:Wss:Port", IPAddress.Parse(listeners.Wss.Address), listeners.Wss.Port);
        }

        if (admin.Enabled)
        {
            yield return ("Admin:Port", IPAddress.Parse(admin.Address), admin.Port);
        }

        yield return ("Cluster:SiloPort", cluster.SiloAddress(), cluster.SiloPort);
        yield return ("Cluster:GatewayPort", cluster.SiloAddress(), cluster.GatewayPort);
    }
}
