using System.Diagnostics;
using System.Reflection;
using System.Runtime.CompilerServices;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace RobustMq.Gateway.Hosting;

/// <summary>
/// Compiles the broker's own code (protocol, gateway) before the listeners accept clients, so the first packet of a
/// kind is not slowed by the JIT. Without it, the first UNSUBSCRIBE a fresh broker handled could be overtaken by a
/// PUBLISH another client sent right after it, and a message went to a subscription already removed (the Paho suite's
/// test_unsubscribe failed on a cold broker about one run in three). Generic code is compiled on first use as before.
/// </summary>
public sealed partial class CodeWarmUp(ILogger<CodeWarmUp> logger) : IHostedService
{
    /// <summary>
    /// The assemblies compiled ahead: the codec, the contracts the packet handlers call (shared subscription parsing,
    /// route entries, session routes) and the connection, routing and listener code.
    /// </summary>
    public static readonly Assembly[] Assemblies =
        [typeof(Protocol.MqttProtocolVersion).Assembly, typeof(Abstractions.Routing.SessionRoutes).Assembly, typeof(CodeWarmUp).Assembly];

    public Task StartAsync(CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        var (compiled, skipped) = Compile(Assemblies);
        ExerciseRouteCache();
        LogWarmedUp(logger, compiled, skipped, clock.ElapsedMilliseconds);
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>
    /// Runs a throwaway route cache through subscribe, match, unsubscribe and remove: its topic trie is generic code,
    /// which <see cref="Compile"/> cannot prepare, and an UNSUBSCRIBE is the first to remove from it.
    /// </summary>
    public static void ExerciseRouteCache()
    {
        var cache = new Routing.RouteCache();
        var entries = new[]
        {
            Abstractions.Routing.RouteEntry.For(new Abstractions.Sessions.SubscriptionRecord("warm/+/x", 1), "warm", "warm", persistent: false),
            Abstractions.Routing.RouteEntry.For(new Abstractions.Sessions.SubscriptionRecord("$share/warm/warm/#", 1), "warm", "warm", persistent: false),
        };
        cache.Apply([new Abstractions.Routing.RouteChange(true, entries[0]), new Abstractions.Routing.RouteChange(true, entries[1])]);
        cache.Match("warm/a/x", []);
        cache.RemoveClient("warm/+/x", "warm", null);
        cache.RemoveClient("warm/#", "warm", "warm");
        cache.Apply([new Abstractions.Routing.RouteChange(false, entries[0]), new Abstractions.Routing.RouteChange(false, entries[1])]);
    }

    /// <summary>Compiles every non-generic method with a body of <paramref name="assemblies"/>; returns how many were compiled and skipped.</summary>
    public static (int Compiled, int Skipped) Compile(IEnumerable<Assembly> assemblies)
    {
        var compiled = 0;
        var skipped = 0;
        const BindingFlags all = BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly;
        foreach (var assembly in assemblies)
        {
            foreach (var type in assembly.GetTypes())
            {
                if (type.ContainsGenericParameters)
                {
                    skipped++;
                    continue;
                }

                foreach (var method in type.GetMethods(all).Cast<MethodBase>().Concat(type.GetConstructors(all)))
                {
                    if (method.IsAbstract || method.ContainsGenericParameters || method.GetMethodBody() is null)
                    {
                        continue;
                    }

                    try
                    {
                        RuntimeHelpers.PrepareMethod(method.MethodHandle);
                        compiled++;
                    }
                    catch (Exception ex) when (ex is ArgumentException or InvalidOperationException or NotSupportedException or BadImageFormatException or TypeLoadException)
                    {
                        skipped++;
                    }
                }
            }
        }

        return (compiled, skipped);
    }

    [LoggerMessage(EventId = 6101, Level = LogLevel.Debug, Message = "Compiled {Compiled} methods ahead of the first client ({Skipped} skipped) in {ElapsedMs} ms")]
    private static partial void LogWarmedUp(ILogger logger, int compiled, int skipped, long elapsedMs);
}
