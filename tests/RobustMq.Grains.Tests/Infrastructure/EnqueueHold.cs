using System.Collections.Concurrent;
using Orleans;
using RobustMq.Abstractions.Sessions;

namespace RobustMq.Grains.Tests.Infrastructure;

/// <summary>
/// A barrier on <see cref="ISessionGrain.Enqueue"/>, installed in every silo of the test cluster: while a client id is
/// held, deliveries into its session wait until the test releases it (a slow member, without any timing); while it is
/// failed, they fail as a call to a silo that died would (a member that cannot take a message).
/// </summary>
public sealed class EnqueueHold : IIncomingGrainCallFilter
{
    private static readonly ConcurrentDictionary<string, TaskCompletionSource> Held = new(StringComparer.Ordinal);
    private static readonly ConcurrentDictionary<string, bool> Failed = new(StringComparer.Ordinal);

    /// <summary>Fail Enqueue calls to <paramref name="clientId"/>'s session until the returned scope is disposed.</summary>
    public static IDisposable Fail(string clientId)
    {
        Failed[clientId] = true;
        return new Unfail(clientId);
    }

    /// <summary>Hold Enqueue calls to <paramref name="clientId"/>'s session until the returned scope is disposed.</summary>
    public static IDisposable Hold(string clientId)
    {
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        if (!Held.TryAdd(clientId, gate))
        {
            throw new InvalidOperationException($"{clientId} is held already.");
        }

        return new Release(clientId, gate);
    }

    public async Task Invoke(IIncomingGrainCallContext context)
    {
        if (context.MethodName == nameof(ISessionGrain.Enqueue) && context.Grain is ISessionGrain &&
            Held.TryGetValue(context.TargetId.Key.ToString()!, out var gate))
        {
            await gate.Task;
        }

        if (context.MethodName == nameof(ISessionGrain.Enqueue) && context.Grain is ISessionGrain && Failed.ContainsKey(context.TargetId.Key.ToString()!))
        {
            throw new SiloUnavailableException("the session's silo is gone (EnqueueHold.Fail)");
        }

        await context.Invoke();
    }

    private sealed class Release(string clientId, TaskCompletionSource gate) : IDisposable
    {
        public void Dispose()
        {
            Held.TryRemove(clientId, out _);
            gate.TrySetResult();
        }
    }

    private sealed class Unfail(string clientId) : IDisposable
    {
        public void Dispose() => Failed.TryRemove(clientId, out _);
    }
}
