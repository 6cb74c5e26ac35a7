using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace RobustMq.Grains.Storage;

/// <summary>Registers the broker's storage: the <c>Storage</c> options (checked at start-up) <see cref="StorageEngines"/> and the session queue records (<see cref="Sessions.SessionQueue"/>).</summary>
public static class StorageServiceCollectionExtensions
{
    public static IServiceCollection AddRobustMqStorage(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<StorageOptions>().Bind(configuration.GetSection(StorageOptions.Section)).ValidateOnStart();
        services.AddSingleton<IValidateOptions<StorageOptions>, StorageOptionsValidator>();
        services.AddSingleton<StorageEngines>();
        services.AddSingleton<ILifecycleParticipant<ISiloLifecycle>>(sp => sp.GetRequiredService<StorageEngines>());
        services.AddSingleton<Sessions.SessionQueue>();
        services.AddOptions<Routing.RouteTableOptions>();
        services.AddSingleton<Routing.StoredRoutes>();
        services.AddSingleton<Sessions.SessionSubscriptions>();
        services.AddSingleton<Sessions.StoredSessionRoutes>();
        services.AddSingleton<ILifecycleParticipant<ISiloLifecycle>>(sp => sp.GetRequiredService<Sessions.StoredSessionRoutes>());
        return services;
    }
}
