using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace RobustMq.Gateway.Ops;

/// <summary>Registers trace, slow subscriptions and alarms (<c>Trace</c>, <c>SlowSubs</c>, <c>Alarms</c> sections).</summary>
public static class OpsServiceCollectionExtensions
{
    public static IServiceCollection AddRobustMqOps(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<TraceOptions>().Bind(configuration.GetSection(TraceOptions.Section)).ValidateOnStart();
        services.AddOptions<SlowSubsOptions>().Bind(configuration.GetSection(SlowSubsOptions.Section)).ValidateOnStart();
        services.AddOptions<AlarmOptions>().Bind(configuration.GetSection(AlarmOptions.Section)).ValidateOnStart();
        services.AddSingleton<IValidateOptions<TraceOptions>>(new Check<TraceOptions>(o => o.Problems()));
        services.AddSingleton<IValidateOptions<SlowSubsOptions>>(new Check<SlowSubsOptions>(o => o.ToSettings().Problem("SlowSubs:") is { } p ? [p] : []));
        services.AddSingleton<IValidateOptions<AlarmOptions>>(new Check<AlarmOptions>(o => o.Problems()));
        services.TryAddSingleton<IOpsStore, MemoryOpsStore>();
        services.AddSingleton<TraceService>();
        services.AddHostedService(sp => sp.GetRequiredService<TraceService>());
        services.AddSingleton<SlowSubscriptions>();
        services.AddHostedService(sp => sp.GetRequiredService<SlowSubscriptions>());
        services.AddSingleton<AlarmMonitor>();
        services.AddHostedService(sp => sp.GetRequiredService<AlarmMonitor>());
        services.AddSingleton<OpsServices>();
        return services;
    }

    /// <summary>Options checked by a function that lists their problems, each naming its key.</summary>
    private sealed class Check<T>(Func<T, IEnumerable<string>> problems) : IValidateOptions<T>
        where T : class
    {
        public ValidateOptionsResult Validate(string? name, T options)
        {
            var found = problems(options).ToList();
            return found.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(found);
        }
    }
}
