using System.Collections.Concurrent;
using Orleans;
using RobustMq.Abstractions.Sessions;

namespace RobustMq.Grains.Tests.Infrastructure;

/// <summary>
/// A barrier on <see cref="ISessionGrain.Enqueue"/>, installed in every silo of the test cluster: while a client id is
/// held, deliveries into its session wait until the test releases it (a slow member, without any timing); while it is
/// failed, they fail as a call that timed out would (a member that cannot take a message: not tried again); with its
/// answer lost, the next one runs and then fails as a call whose silo died before it answered would.
/// </summary>
public sealed class EnqueueHold : IIncomingGrainCallFilter
{
    private static readonly ConcurrentDictionary<string, TaskCompletionSource> Held = new(StringComparer.Ordinal);
    private static readonly ConcurrentDictionary<string, bool> Failed = new(StringComparer.Ordinal);
    private static readonly ConcurrentDictionary<string, bool> AnswerLost = new(StringComparer.Ordinal);

    /// <summary>Fail Enqueue calls to <paramref name="clientId"/>'s session until the returned scope is disposed.</summary>
    public static IDisposable Fail(string clientId)
    {
        Failed[clientId] = true;
        return new Unfail(clientId);
    }

    /// <summary>The next Enqueue to <paramref name="clientId"/>'s session runs, and its caller gets <see cref="SiloUnavailableException"/>.</summary>
    public static void LoseNextAnswer(string clientId) => AnswerLost[clientId] = true;

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
        var enqueue = context.Grain is ISessionGrain && context.MethodName is nameof(ISessionGrain.Enqueue) or nameof(ISessionGrain.EnqueueAgain);
        var clientId = context.TargetId.Key.ToString()!;
        if (enqueue && context.MethodName == nameof(ISessionGrain.Enqueue) && Held.TryGetValue(clientId, out var gate))
        {
            await gate.Task;
        }

        if (enqueue && Failed.ContainsKey(clientId))
        {
            throw new TimeoutException("the session did not answer in time (EnqueueHold.Fail)");
        }

        await context.Invoke();
        if (enqueue && AnswerLost.TryRemove(clientId, out _))
        {
            throw new SiloUnavailableException("the session's silo died before it answered (EnqueueHold.LoseNextAnswer)");
        }
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
