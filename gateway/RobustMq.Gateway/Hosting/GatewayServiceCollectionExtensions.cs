using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using RobustMq.Gateway.Nodes;
using RobustMq.Gateway.Ops;
using RobustMq.Abstractions.Metrics;
using RobustMq.Abstractions.Nodes;
using RobustMq.Abstractions.Options;
using RobustMq.Abstractions.Routing;
using RobustMq.Gateway.Connections;
using RobustMq.Gateway.Listeners;
using RobustMq.Gateway.Metrics;
using RobustMq.Gateway.Routing;
using RobustMq.Gateway.Security;
using RobustMq.Gateway.Settings;
using RobustMq.Gateway.Security.Authentication;
using RobustMq.Gateway.Security.Blacklist;
using RobustMq.Gateway.Security.BuiltInAcl;
using RobustMq.Gateway.Security.Cluster;
using RobustMq.Gateway.Sys;

namespace RobustMq.Gateway.Hosting;

/// <summary>Registers the node-local broker services: route cache, router, connections, listeners' handler, $SYS.</summary>
public static class GatewayServiceCollectionExtensions
{
    public static IServiceCollection AddRobustMqGateway(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<MqttOptions>().Bind(configuration.GetSection(MqttOptions.Section)).ValidateOnStart();
        services.AddSingleton<IValidateOptions<MqttOptions>, MqttOptionsValidator>();
        services.AddOptions<ListenerOptions>().Bind(configuration.GetSection(ListenerOptions.Section)).ValidateOnStart();
        services.AddSingleton<IValidateOptions<ListenerOptions>, ListenerOptionsValidator>();
        services.AddOptions<SysOptions>().Bind(configuration.GetSection(SysOptions.Section));
        services.AddOptions<AclOptions>().Bind(configuration.GetSection(AclOptions.Section)).ValidateOnStart();
        services.AddSingleton<IValidateOptions<AclOptions>, AclOptionsValidator>();
        services.AddOptions<AuthOptions>().Bind(configuration.GetSection(AuthOptions.Section)).ValidateOnStart();
        services.AddSingleton<IValidateOptions<AuthOptions>, AuthOptionsValidator>();
        services.AddOptions<FlappingOptions>().Bind(configuration.GetSection(FlappingOptions.Section)).ValidateOnStart();
        services.AddSingleton<IValidateOptions<FlappingOptions>, FlappingOptionsValidator>();

        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton<NodeIdentity>();
        services.AddSingleton<BrokerMetrics>();
        services.AddSingleton<IDropCounter>(sp => sp.GetRequiredService<BrokerMetrics>());
        services.AddOperationsMetrics();
        services.AddSingleton<RouteCache>();
        services.AddSingleton<TopicShardWriter>();
        services.AddSingleton<RetainedStores>();
        services.AddSingleton<IRouteReplica>(sp => sp.GetRequiredService<RouteCache>());
        services.AddSingleton<RouteSync>();
        services.AddSingleton<DeadNodes>();
        services.AddSingleton<ILifecycleParticipant<ISiloLifecycle>>(sp => sp.GetRequiredService<DeadNodes>());
        services.AddSingleton<ILifecycleParticipant<ISiloLifecycle>>(sp => sp.GetRequiredService<RouteSync>());
        services.AddSingleton<ConnectionRegistry>();
        services.AddSingleton<ConnectionLimit>();
        services.AddSingleton<ILocalDelivery>(sp => sp.GetRequiredService<ConnectionRegistry>());
        services.AddSingleton<SessionHandover>();
        services.AddSingleton<NodeOutboxes>();
        services.AddSingleton<MessageRouter>();
        services.AddSingleton<IMessageRouter>(sp => sp.GetRequiredService<MessageRouter>());
        services.AddSingleton(sp => new AclFile(
            sp.GetRequiredService<IOptions<AclOptions>>().Value,
            sp.GetRequiredService<ConnectionRegistry>(),
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<ILogger<AclFile>>()));
        services.AddHostedService(sp => sp.GetRequiredService<AclFile>());
        services.AddSingleton(sp => new AclSourceList(CreateAclSources(sp, sp.GetRequiredService<IOptions<AclOptions>>().Value)));
        services.TryAddSingleton<ISessionStore, NoSessionStore>();
        services.AddSingleton(CreateAuthenticator);
        services.AddSingleton(sp =>
        {
            var auth = sp.GetRequiredService<IOptions<AuthOptions>>().Value;
            return new EnhancedAuthenticator(auth.EnhancedMethods, auth.EnhancedMethods.Length > 0 ? sp.GetService<IUserStore>() : null, auth.BuiltIn.Iterations);
        });
        // No redirects (a login page's 200 must not read as an answer); connections renewed for DNS changes.
        services.AddHttpClient(HttpAuthClient).ConfigurePrimaryHttpMessageHandler(() => new SocketsHttpHandler
        {
            AllowAutoRedirect = false,
            PooledConnectionLifetime = TimeSpan.FromMinutes(5),
        });
        services.AddSingleton(sp => new FlappingDetector(sp.GetRequiredService<IOptions<FlappingOptions>>().Value));
        services.AddSingleton<NodeNotices>();
        services.AddSingleton<NodeReports>();
        services.AddSingleton<NodeAdmin>();
        // Loads the bans before the listeners open (a hosted service registered ahead of them).
        services.AddSingleton(sp => new BlacklistService(
            sp.GetService<IBanStore>(),
            sp.GetRequiredService<ConnectionRegistry>(),
            sp.GetRequiredService<NodeNotices>(),
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<ILogger<BlacklistService>>()));
        services.AddHostedService(sp => sp.GetRequiredService<BlacklistService>());
        services.AddSingleton(sp => new BuiltInAclSource(
            sp.GetService<IAclRuleStore>(),
            sp.GetService<IGrainFactory>(),
            sp.GetRequiredService<ConnectionRegistry>(),
            sp.GetRequiredService<NodeNotices>(),
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<ILogger<BuiltInAclSource>>()));
        services.AddHostedService(sp => sp.GetRequiredService<BuiltInAclSource>());
        services.AddSingleton(sp => new RuntimeSettings(
            sp.GetService<IRuntimeSettingsStore>(),
            sp.GetRequiredService<FlappingDetector>(),
            sp.GetRequiredService<IOptions<MqttOptions>>().Value,
            sp.GetRequiredService<AclFile>(),
            sp.GetRequiredService<NodeNotices>(),
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<ILogger<RuntimeSettings>>()));
        services.AddHostedService(sp => sp.GetRequiredService<RuntimeSettings>());
        services.AddRobustMqOps(configuration);
        services.AddSingleton<ConnectionServices>();
        services.AddSingleton<TlsEndpoints>();
        services.AddHostedService(sp => sp.GetRequiredService<TlsEndpoints>());
        services.AddSingleton<MqttConnectionHandler>();
        services.AddHostedService<SysTopicPublisher>();
        services.AddHostedService<ConnectionShutdown>();
        return services;
    }

    /// <summary>Issue 14's metrics: storage and grain call meters, gauges refreshed from walks, topic metrics, $SYS client events.</summary>
    private static void AddOperationsMetrics(this IServiceCollection services)
    {
        services.AddSingleton<IStorageMetrics>(sp => sp.GetRequiredService<BrokerMetrics>());
        services.AddSingleton<IIncomingGrainCallFilter, GrainCallMetrics>();
        services.AddSingleton<MetricsRefresher>();
        services.AddHostedService(sp => sp.GetRequiredService<MetricsRefresher>());
        services.AddSingleton(sp => new TopicMetrics(
            sp.GetService<ITopicMetricStore>(),
            sp.GetRequiredService<BrokerMetrics>(),
            sp.GetRequiredService<NodeNotices>(),
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<ILogger<TopicMetrics>>()));
        services.AddHostedService(sp => sp.GetRequiredService<TopicMetrics>());
        services.AddSingleton<SysClientEvents>();
        services.AddHostedService(sp => sp.GetRequiredService<SysClientEvents>());
    }

    private const string HttpAuthClient = "robustmq-auth-http";

    /// <summary>
    /// The chain of <c>Auth:Sources</c>. <c>Auth:AllowAnonymous</c> unset means true here: the host sets it for a
    /// cluster (false), and a gateway without a host's say is the embedded quick-start.
    /// </summary>
    private static Authenticator CreateAuthenticator(IServiceProvider services)
    {
        var options = services.GetRequiredService<IOptions<AuthOptions>>().Value;
        var sources = options.Sources.Select(name => name switch
        {
            "builtin" => (IAuthSource)new BuiltInAuthSource(services.GetService<IUserStore>()
                ?? throw new InvalidOperationException("Auth:Sources has builtin, and this host has no user store"), options.BuiltIn.Iterations),
            "jwt" => new JwtAuthSource(options.Jwt),
            "http" => new HttpAuthSource(services.GetRequiredService<IHttpClientFactory>().CreateClient(HttpAuthClient), options.Http),
            "cert" => new CertificateAuthSource(),
            "postgres" => new SqlAuthSource("postgres", new Npgsql.NpgsqlDataSourceBuilder(options.Postgres.ConnectionString).Build(), options.Postgres),
            "mysql" => new SqlAuthSource("mysql", new MySqlConnector.MySqlDataSource(options.MySql.ConnectionString!), options.MySql),
            "redis" => new RedisAuthSource(options.Redis),
            _ => throw new InvalidOperationException($"Auth:Sources: '{name}' is not an authentication source"),
        });
        var authenticator = new Authenticator(sources, options.AllowAnonymous ?? true, options.FallThroughWhenDown);
        if (!authenticator.AllowAnonymous && options.Sources.Length == 0)
        {
            // A cluster's default (Auth:AllowAnonymous false) with no source: every client is refused. Said once at start.
            services.GetRequiredService<ILoggerFactory>().CreateLogger("RobustMq.Gateway.Security")
                .LogWarning("Auth:AllowAnonymous is false and Auth:Sources is empty: every client is refused (0x87 without a user name, 0x86 with one); set Auth:Sources or Auth:AllowAnonymous=true");
        }

        return authenticator;
    }

    /// <summary>The per-client rule stores of <c>Acl:Sources</c>, in order.</summary>
    private static IAclSource[] CreateAclSources(IServiceProvider services, AclOptions options) =>
    [
        .. options.Sources.Select(name => name switch
        {
            "builtin" => services.GetRequiredService<BuiltInAclSource>(),
            "postgres" => (IAclSource)new SqlAclSource("postgres", new Npgsql.NpgsqlDataSourceBuilder(options.Postgres.ConnectionString).Build(), options.Postgres),
            "mysql" => new SqlAclSource("mysql", new MySqlConnector.MySqlDataSource(options.MySql.ConnectionString!), options.MySql),
            "redis" => new RedisAclSource(options.Redis),
            "http" => new HttpAclSource(services.GetRequiredService<IHttpClientFactory>().CreateClient(HttpAuthClient), options.Http),
            _ => throw new InvalidOperationException($"Acl:Sources: '{name}' is not an ACL source"),
        }),
    ];
}
