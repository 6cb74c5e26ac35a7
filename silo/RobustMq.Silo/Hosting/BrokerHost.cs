using Microsoft.Extensions.DependencyInjection.Extensions;
using System.Net;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Server.Kestrel.Https;
using Prometheus;
using RobustMq.Gateway.Connections;
using RobustMq.Gateway.Hosting;
using RobustMq.Gateway.Listeners;
using RobustMq.Gateway.Metrics;
using RobustMq.Gateway.Nodes;
using RobustMq.Gateway.Security.Authentication;
using RobustMq.Gateway.Security.Blacklist;
using RobustMq.Gateway.Settings;
using RobustMq.Grains.Placement;
using RobustMq.Grains.Storage;
using RobustMq.Silo.Admin;
using RobustMq.Silo.Hosting.Logging;

namespace RobustMq.Silo.Hosting;

/// <summary>Builds the broker process: configuration, an Orleans silo, Kestrel listeners, admin endpoints.</summary>
public static partial class BrokerHost
{
    /// <summary>How many grain locations the silo caches (Orleans' default is 1,000,000).</summary>
    private const int GrainLocationCacheSize = 10_000;

    /// <summary>
    /// Checks the whole configuration and that every port is free, then builds the host. Anything unusable throws
    /// <see cref="ConfigurationException"/> naming the key (a taken port: with the <see cref="System.Net.Sockets.SocketException"/> inside).
    /// </summary>
    public static WebApplication Create(string[] args)
    {
        var command = BrokerCommandLine.Parse(args);
        WebApplicationBuilder builder;
        try
        {
            builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = [.. command.Overrides], ContentRootPath = AppContext.BaseDirectory });
        }
        catch (InvalidDataException ex)
        {
            // A malformed appsettings.json: the message names the file, the innermost one the line and position.
            throw new ConfigurationException($"{ex.Message} {Innermost(ex).Message}");
        }

        Configure(builder.Configuration, command);
        var configuration = builder.Configuration;
        ClusterDefaults(configuration);
        var warnings = ConfigurationCheck.Run(configuration);
        var cluster = configuration.GetSection(ClusterOptions.Section).Get<ClusterOptions>() ?? new ClusterOptions();
        var node = configuration.GetSection(NodeOptions.Section).Get<NodeOptions>() ?? new NodeOptions();
        if (node.ParseRoles() is { Gateway: false })
        {
            // A grains-only silo opens no MQTT listener (its admin API stays).
            configuration["Listeners:Tcp:Enabled"] = configuration["Listeners:WebSocket:Enabled"] = "false";
            configuration["Listeners:Tls:Port"] = configuration["Listeners:Wss:Port"] = "0";
        }

        var listeners = configuration.GetSection(ListenerOptions.Section).Get<ListenerOptions>() ?? new ListenerOptions();
        var admin = configuration.GetSection(AdminOptions.Section).Get<AdminOptions>() ?? new AdminOptions();
        Validate(configuration, cluster, admin, listeners, node);
        var roles = node.ParseRoles()!.Value;

        PortCheck.EnsureFree(Endpoints(cluster, admin, listeners));
        if (cluster.IsAdoNet)
        {
            // One line and exit 3 when the database is down or has no schema, rather than Orleans' retries and stack traces.
            ClusterDatabase.CheckAsync(cluster.ConnectionString!).GetAwaiter().GetResult();
        }

        CorrectedLoggerFactory.Register(builder.Services);
        builder.UseOrleans(silo =>
        {
            if (cluster.IsAdoNet)
            {
                UseDatabaseClustering(silo, cluster);
            }
            else
            {
                silo.UseLocalhostClustering(cluster.SiloPort, cluster.GatewayPort, serviceId: cluster.ServiceId, clusterId: cluster.ClusterId);
            }

            // The node's display name ($SYS/brokers/{name}/...): Node:Name, or host and silo port.
            var nodeName = node.Name is { Length: > 0 } configured ? configured : $"{Environment.MachineName}_{cluster.SiloPort}";
            silo.Configure<Orleans.Configuration.SiloOptions>(o => o.SiloName = nodeName);
            silo.Services.AddPlacementDirector<NodePlacement, NodePlacementDirector>();
            if (!roles.Grains)
            {
                // A gateway-only silo leaves the durable grains out of its manifest, so Orleans never places one here.
                silo.Services.PostConfigure<Orleans.Configuration.GrainTypeOptions>(o =>
                {
                    foreach (var type in DurableGrains.Types)
                    {
                        o.Classes.Remove(type);
                    }
                });
            }

            silo.Configure<Orleans.Configuration.SiloMessagingOptions>(o => o.ResponseTimeout = ConnectionServices.GrainCallTimeout);
            // Orleans caches up to 1,000,000 grain locations by default, in tables sized for that many: with a session
            // grain per client, most of what an idle persistent connection costs (issue 10). Session grains come and go
            // (active only while there is work), so a bounded cache of recent locations is enough.
            silo.Configure<Orleans.Configuration.GrainDirectoryOptions>(o => o.CacheSize = GrainLocationCacheSize);
        });
        // A console that cannot keep up (a slow pipe, a reconnect storm's 20,000 lines) loses lines, counted in a line of
        // its own, rather than stall the thread that logs: a socket event thread serves many connections (Main).
        builder.Services.Configure<Microsoft.Extensions.Logging.Console.ConsoleLoggerOptions>(o => o.QueueFullMode = Microsoft.Extensions.Logging.Console.ConsoleLoggerQueueFullMode.DropWrite);
        builder.Services.AddRobustMqGateway(configuration);
        builder.Services.AddRobustMqStorage(configuration);
        builder.Services.Configure<RobustMq.Grains.Routing.RouteTableOptions>(o => o.Durable = cluster.IsAdoNet);
        builder.Services.Replace(ServiceDescriptor.Singleton<ISessionStore, StoredSessionState>());
        builder.Services.AddSingleton<IUserStore, StoredUsers>();
        builder.Services.AddSingleton<IBanStore, StoredBans>();
        builder.Services.AddSingleton<IRuntimeSettingsStore, StoredRuntimeSettings>();
        builder.Services.AddSingleton<RobustMq.Gateway.Nodes.Storage.INodeStorage, RobustMq.Silo.Admin.NodeStorage>();
        builder.Services.AddSingleton<RobustMq.Gateway.Security.BuiltInAcl.IAclRuleStore, StoredAclRules>();
        builder.Services.Replace(ServiceDescriptor.Singleton<RobustMq.Gateway.Ops.IOpsStore, StoredOpsRecords>());
        builder.Services.PostConfigure<RobustMq.Gateway.Ops.TraceOptions>(o => o.Directory ??= Path.Combine(Path.GetFullPath(configuration["Storage:Path"] ?? RobustMq.Grains.Storage.StorageOptions.DefaultPath), "trace"));
        builder.Services.AddSingleton<ITopicMetricStore, StoredTopicMetrics>();
        builder.Services.AddOptions<AdminOptions>().Bind(configuration.GetSection(AdminOptions.Section));
        builder.Services.AddSingleton<AdminAccounts>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<AdminAccounts>());
        builder.Services.AddSingleton<RobustMq.Gateway.Security.Administrators.IAdminAccountStore>(sp => sp.GetRequiredService<AdminAccounts>());
        builder.Services.AddSingleton<AdminTokens>();
        builder.Services.AddSingleton<ApiKeys>();
        builder.Services.AddOpenApi("v1");
        // Anonymous clients are let in by the embedded single-node quick-start, not by a cluster, unless Auth:AllowAnonymous says.
        builder.Services.PostConfigure<AuthOptions>(o => o.AllowAnonymous ??= !cluster.IsAdoNet);
        builder.Services.AddHostedService(sp => new ListenerLog(sp, cluster, admin, listeners));
        builder.Services.AddHostedService<CodeWarmUp>();
        builder.Services.AddHostedService<StartupCollection>();
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
                kestrel.Listen(IPAddress.Parse(listeners.WebSocket.Address), listeners.WebSocket.Port, l =>
                {
                    l.Protocols = HttpProtocols.Http1;
                    LimitConnectionRate(l, listeners.WebSocket.MaxConnectionRate);
                });
            }

            // TLS 1.2/1.3, the certificate in force (reloaded when its files change), client certificates as configured.
            var tls = kestrel.ApplicationServices.GetRequiredService<TlsEndpoints>();
            if (tls.Tls is { } mqtts)
            {
                kestrel.Listen(IPAddress.Parse(listeners.Tls.Address), listeners.Tls.Port, l =>
                {
                    LimitConnectionRate(l, listeners.Tls.MaxConnectionRate);
                    l.UseHttps(new TlsHandshakeCallbackOptions { OnConnection = _ => ValueTask.FromResult(mqtts.AuthenticationOptions) });
                    l.UseConnectionHandler<MqttConnectionHandler>();
                });
            }

            if (tls.Wss is { } wss)
            {
                kestrel.Listen(IPAddress.Parse(listeners.Wss.Address), listeners.Wss.Port, l =>
                {
                    l.Protocols = HttpProtocols.Http1;
                    LimitConnectionRate(l, listeners.Wss.MaxConnectionRate);
                    l.UseHttps(new TlsHandshakeCallbackOptions { OnConnection = _ => ValueTask.FromResult(wss.AuthenticationOptions) });
                });
            }

            if (admin.Enabled)
            {
                kestrel.Listen(IPAddress.Parse(admin.Address), admin.Port, l => l.Protocols = HttpProtocols.Http1);
            }
        });

        var app = builder.Build();
        var log = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger(StartupLog.Category);
        foreach (var warning in warnings)
        {
            StartupLog.ConfigurationWarning(log, warning);
        }

        app.UseWebSockets(new WebSocketOptions { KeepAliveInterval = TimeSpan.Zero });
        if (listeners.WebSocket.Enabled)
        {
            MapMqttWebSocket(app, listeners.WebSocket.Port, listeners.WebSocket.Path, tls: null);
        }

        if (listeners.Wss.Enabled)
        {
            MapMqttWebSocket(app, listeners.Wss.Port, listeners.Wss.Path, app.Services.GetRequiredService<TlsEndpoints>().Wss);
        }

        if (admin.Enabled)
        {
            var port = admin.Port;
            app.MapWhen(c => c.Connection.LocalPort == port, a => AdminApi.Map(a, a.ApplicationServices.GetRequiredService<BrokerMetrics>().Registry));
        }

        return app;
    }

    /// <summary>
    /// <c>Cluster:Mode=AdoNet</c>: membership in the PostgreSQL database (Orleans ADO.NET clustering, our own schema from
    /// <c>deploy/sql/</c>), the Orleans ports bound and advertised at <see cref="ClusterOptions.SiloAddress"/>, and
    /// failure detection tuned so a killed silo is declared dead within about 3 s instead of Orleans' ~15 s: a probe
    /// every second, dead after two missed probes and two votes (one when there are only two silos). The price is
    /// that a silo paused for over ~2 s (a stalled VM, a long GC) is declared dead too, and then stops itself;
    /// docs/cluster.md says how to loosen it (<c>Cluster:ProbeTimeoutMs</c>, <c>Cluster:MissedProbesLimit</c>).
    /// </summary>
    private static void UseDatabaseClustering(ISiloBuilder silo, ClusterOptions cluster)
    {
        silo.UseAdoNetClustering(o =>
        {
            o.Invariant = ClusterDatabase.Invariant;
            o.ConnectionString = cluster.ConnectionString;
        });
        silo.Configure<Orleans.Configuration.ClusterOptions>(o =>
        {
            o.ClusterId = cluster.ClusterId;
            o.ServiceId = cluster.ServiceId;
        });
        var address = cluster.SiloAddress();
        silo.Configure<Orleans.Configuration.EndpointOptions>(o =>
        {
            o.AdvertisedIPAddress = address;
            o.SiloPort = cluster.SiloPort;
            o.GatewayPort = cluster.GatewayPort;
            o.SiloListeningEndpoint = new IPEndPoint(address, cluster.SiloPort);
            o.GatewayListeningEndpoint = new IPEndPoint(address, cluster.GatewayPort);
        });
        silo.Configure<Orleans.Configuration.ClusterMembershipOptions>(o =>
        {
            o.ProbeTimeout = TimeSpan.FromMilliseconds(cluster.ProbeTimeoutMs);
            o.NumMissedProbesLimit = cluster.MissedProbesLimit;
        });
    }

    /// <summary>
    /// In a cluster (<c>Cluster:Mode=AdoNet</c>) any silo serves any session, so unless configured otherwise sessions,
    /// queues and retained messages go to the cluster's PostgreSQL database (<c>Storage:Default=Postgres</c>, its
    /// connection string that of <c>Cluster:ConnectionString</c>), written by every silo (<c>Storage:Postgres:Shared</c>).
    /// </summary>
    private static void ClusterDefaults(ConfigurationManager configuration)
    {
        if (configuration["Cluster:Mode"] != "AdoNet")
        {
            return;
        }

        var defaults = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        if (string.IsNullOrEmpty(configuration["Storage:Default"]))
        {
            defaults["Storage:Default"] = "Postgres";
        }

        if (string.IsNullOrEmpty(configuration["Storage:Postgres:ConnectionString"]))
        {
            defaults["Storage:Postgres:ConnectionString"] = configuration["Cluster:ConnectionString"];
        }

        if (string.IsNullOrEmpty(configuration["Storage:Postgres:Shared"]))
        {
            defaults["Storage:Postgres:Shared"] = "true";
        }

        foreach (var (key, value) in defaults)
        {
            configuration[key] = value;
        }
    }

    /// <summary>
    /// A Kestrel listener's <c>MaxConnectionRate</c> (0: none): each new connection waits for its turn before anything
    /// else, its TLS handshake included, or is closed at once when its turn is over a second away (<see cref="AcceptRate"/>).
    /// </summary>
    private static void LimitConnectionRate(ListenOptions listen, int perSecond)
    {
        if (perSecond <= 0)
        {
            return;
        }

        var services = listen.ApplicationServices;
        var clock = services.GetRequiredService<TimeProvider>();
        var rate = new AcceptRate(perSecond, clock, services.GetRequiredService<BrokerMetrics>());
        listen.Use(next => async connection =>
        {
            if (!rate.TryTakeTurn(out var wait))
            {
                connection.Abort();
                return;
            }

            if (wait > TimeSpan.Zero)
            {
                try
                {
                    await Task.Delay(wait, clock, connection.ConnectionClosed);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }

            await next(connection);
        });
    }

    /// <summary>MQTT over WebSocket (plain or TLS) on one listener's port and path.</summary>
    private static void MapMqttWebSocket(WebApplication app, int port, string path, TlsEndpoint? tls) =>
        app.MapWhen(
            c => c.Connection.LocalPort == port && c.Request.Path == path,
            ws => ws.Run(c => WebSocketEndpoint.HandleAsync(c, c.RequestServices.GetRequiredService<ConnectionServices>(), tls)));

}
