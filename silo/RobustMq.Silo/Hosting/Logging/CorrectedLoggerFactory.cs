using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace RobustMq.Silo.Hosting.Logging;

/// <summary>
/// The host's <see cref="ILoggerFactory"/> with the false start-up lines of <see cref="FalseLogLines"/> removed.
/// It wraps the standard <see cref="LoggerFactory"/>, so providers, filters and per-provider settings are unchanged.
/// </summary>
public sealed class CorrectedLoggerFactory(ILoggerFactory inner) : ILoggerFactory
{
    /// <summary>Replaces the <see cref="ILoggerFactory"/> registration of <paramref name="services"/>.</summary>
    public static void Register(IServiceCollection services)
    {
        services.Replace(ServiceDescriptor.Singleton<ILoggerFactory>(sp => new CorrectedLoggerFactory(new LoggerFactory(
            sp.GetServices<ILoggerProvider>(),
            sp.GetRequiredService<IOptionsMonitor<LoggerFilterOptions>>(),
            sp.GetService<IOptions<LoggerFactoryOptions>>(),
            sp.GetService<IExternalScopeProvider>()))));
    }

    public void AddProvider(ILoggerProvider provider) => inner.AddProvider(provider);

    public ILogger CreateLogger(string categoryName)
    {
        var logger = inner.CreateLogger(categoryName);
        return FalseLogLines.Watches(categoryName) ? new CorrectedLogger(categoryName, logger) : logger;
    }

    public void Dispose() => inner.Dispose();
}
