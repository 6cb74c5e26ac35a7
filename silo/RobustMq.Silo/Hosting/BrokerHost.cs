using System.Net;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Prometheus;
using RobustMq.Gateway.Connections;
using RobustMq.Gateway.Hosting;
using RobustMq.Gateway.Listeners;
using RobustMq.Gateway.Metrics;
using RobustMq.Grains.Placement;
using RobustMq.Silo.Admin;

namespace RobustMq.Silo.Hosting;

/// <summary>Builds the broker process: configuration, an Orleans silo, Kestrel listeners, admin endpoints.</summary>
public static class BrokerHost
{
    public static WebApplication Create(string[] args)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });
        Configure(builder.Configuration, args);
        var configuration = builder.Configuration;
        var cluster = configuration.GetSection(ClusterOptions.Section).Get<ClusterOptions>() ?? new ClusterOptions();
        var listeners = configuration.GetSection(ListenerOptions.Section).Get<ListenerOptions>() ?? new ListenerOptions();
        var admin = configuration.GetSection(AdminOptions.Section).Get<AdminOptions>() ?? new AdminOptions();
        ValidateHost(cluster, admin, listeners);

        builder.UseOrleans(silo =>
        {
            silo.UseLocalhostClustering(cluster.SiloPort, cluster.GatewayPort, serviceId: cluster.ServiceId, clusterId: cluster.ClusterId);
            // The node's display name ($SYS/brokers/{name}/...): Node:Name, or host and silo port.
            var nodeName = configuration["Node:Name"] is { Length: > 0 } configured ? configured : $"{Environment.MachineName}_{cluster.SiloPort}";
            silo.Configure<Orleans.Configuration.SiloOptions>(o => o.SiloName = nodeName);
            silo.Services.AddPlacementDirector<NodePlacement, NodePlacementDirector>();
            silo.Configure<Orleans.Configuration.SiloMessagingOptions>(o => o.ResponseTimeout = ConnectionServices.GrainCallTimeout);
        });
        builder.Services.AddRobustMqGateway(configuration);
        if (listeners.Tcp.Enabled)
        {
            // Registered after the silo, so it accepts clients only once grains can serve them.
            builder.Services.AddSingleton<TcpSocketListener>();
            builder.Services.AddHostedService(sp => sp.GetRequiredService<TcpSocketListener>());
        }

        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            if (listeners.WebSocket.Enabled)
            {
                kestrel.Listen(IPAddress.Parse(listeners.WebSocket.Address), listeners.WebSocket.Port, l => l.Protocols = HttpProtocols.Http1);
            }

            if (listeners.Tls.Enabled)
            {
                var certificate = TlsCertificates.Load(listeners.Tls.Certificate!, listeners.Tls.Key);
                kestrel.Listen(IPAddress.Parse(listeners.Tls.Address), listeners.Tls.Port, l =>
                {
                    l.UseHttps(certificate);
                    l.UseConnectionHandler<MqttConnectionHandler>();
                });
            }

            if (listeners.Wss.Enabled)
            {
                var certificate = TlsCertificates.Load(listeners.Wss.Certificate ?? listeners.Tls.Certificate!, listeners.Wss.Key ?? listeners.Tls.Key);
                kestrel.Listen(IPAddress.Parse(listeners.Wss.Address), listeners.Wss.Port, l =>
                {
                    l.Protocols = HttpProtocols.Http1;
                    l.UseHttps(certificate);
                });
            }

            if (admin.Enabled)
            {
                kestrel.Listen(IPAddress.Parse(admin.Address), admin.Port, l => l.Protocols = HttpProtocols.Http1);
            }
        });

        var app = builder.Build();
        app.UseWebSockets(new WebSocketOptions { KeepAliveInterval = TimeSpan.Zero });
        if (listeners.WebSocket.Enabled)
        {
            MapMqttWebSocket(app, listeners.WebSocket.Port, listeners.WebSocket.Path);
        }

        if (listeners.Wss.Enabled)
        {
            MapMqttWebSocket(app, listeners.Wss.Port, listeners.Wss.Path);
        }

        if (admin.Enabled)
        {
            var port = admin.Port;
            app.MapWhen(c => c.Connection.LocalPort == port, a => AdminApi.Map(a, a.ApplicationServices.GetRequiredService<BrokerMetrics>().Registry));
        }

        return app;
    }

    /// <summary>MQTT over WebSocket (plain or TLS) on one listener's port and path.</summary>
    private static void MapMqttWebSocket(WebApplication app, int port, string path) =>
        app.MapWhen(
            c => c.Connection.LocalPort == port && c.Request.Path == path,
            ws => ws.Run(c => WebSocketEndpoint.HandleAsync(c, c.RequestServices.GetRequiredService<ConnectionServices>())));

    /// <summary>appsettings.json, then <c>--config FILE</c>, then <c>ROBUSTMQ_</c> variables, then command-line overrides.</summary>
    private static void Configure(ConfigurationManager configuration, string[] args)
    {
        string? extra = null;
        var rest = new List<string>(args.Length);
        for (var i = 0; i < args.Length; i++)
        {
            if (args[i] == "--config")
            {
                if (i + 1 >= args.Length)
                {
                    throw new ConfigurationException("--config needs a file name");
                }

                extra = args[++i];
                continue;
            }

            if (args[i].StartsWith("--config=", StringComparison.Ordinal))
            {
                extra = args[i]["--config=".Length..];
                continue;
            }

            rest.Add(args[i]);
        }

        if (extra is not null)
        {
            var path = FindConfigFile(extra)
                ?? throw new ConfigurationException($"--config file '{extra}' does not exist");

            configuration.AddJsonFile(path, optional: false, reloadOnChange: false);
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
        configuration.AddCommandLine([.. rest]);
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

    private static void ValidateHost(ClusterOptions cluster, AdminOptions admin, ListenerOptions listeners)
    {
        var errors = new List<string>();

        // Listeners are checked before the host is built: Kestrel loads their certificates while building.
        var listenerCheck = new ListenerOptionsValidator().Validate(null, listeners);
        if (listenerCheck.Failed)
        {
            errors.AddRange(listenerCheck.Failures);
        }

        if (cluster.Mode is not ("Localhost" or "AdoNet"))
        {
            errors.Add($"Cluster:Mode must be Localhost or AdoNet (got '{cluster.Mode}')");
        }

        if (cluster.Mode == "AdoNet")
        {
            errors.Add("Cluster:Mode AdoNet is not available in this build yet; use Localhost");
        }

        ListenerOptionsValidator.CheckPort(errors, "Cluster:SiloPort", cluster.SiloPort);
        ListenerOptionsValidator.CheckPort(errors, "Cluster:GatewayPort", cluster.GatewayPort);
        if (admin.Enabled)
        {
            ListenerOptionsValidator.CheckPort(errors, "Admin:Port", admin.Port);
            if (!IPAddress.TryParse(admin.Address, out _))
            {
                errors.Add($"Admin:Address must be an IP address (got '{admin.Address}')");
            }

            if ((listeners.WebSocket.Enabled && admin.Port == listeners.WebSocket.Port) || (listeners.Tcp.Enabled && admin.Port == listeners.Tcp.Port))
            {
                errors.Add($"Admin:Port must differ from the MQTT listener ports (got {admin.Port})");
            }
        }

        if (errors.Count > 0)
        {
            throw new ConfigurationException(string.Join("; ", errors));
        }
    }
}
