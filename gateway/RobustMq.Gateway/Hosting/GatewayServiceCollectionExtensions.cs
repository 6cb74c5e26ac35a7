using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using RobustMq.Gateway.Nodes;
using RobustMq.Abstractions.Metrics;
using RobustMq.Abstractions.Nodes;
using RobustMq.Abstractions.Options;
using RobustMq.Abstractions.Routing;
using RobustMq.Gateway.Connections;
using RobustMq.Gateway.Listeners;
using RobustMq.Gateway.Metrics;
using RobustMq.Gateway.Routing;
using RobustMq.Gateway.Security;
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

        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton<NodeIdentity>();
        services.AddSingleton<BrokerMetrics>();
        services.AddSingleton<IDropCounter>(sp => sp.GetRequiredService<BrokerMetrics>());
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
        services.AddSingleton(sp => LoadAcl(sp.GetRequiredService<IOptions<AclOptions>>().Value));
        services.TryAddSingleton<ISessionStore, NoSessionStore>();
        services.AddSingleton<ConnectionServices>();
        services.AddSingleton<MqttConnectionHandler>();
        services.AddHostedService<SysTopicPublisher>();
        services.AddHostedService<ConnectionShutdown>();
        return services;
    }

    private static AclRuleSet LoadAcl(AclOptions options) =>
        string.IsNullOrWhiteSpace(options.File) ? AclRuleSet.AllowAll : AclRuleSet.Load(options.File);
}
