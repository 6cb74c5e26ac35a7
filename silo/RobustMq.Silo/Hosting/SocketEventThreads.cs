namespace RobustMq.Silo.Hosting;

/// <summary>
/// Socket completions run on the runtime's socket event threads (one per core, each an epoll loop) instead of one
/// thread-pool hop per readable socket. With <c>Gateway.Connections.ReadTurn</c>, a packet is parsed, routed and its
/// deliveries written on the thread that saw it arrive, and packets that arrived earlier on any connection of that
/// loop are handled before later ones (issue 12: a readable event waited ~2 ms for a pool thread while another
/// connection ran on, and Paho's test_unsubscribe failed in some full runs).
/// </summary>
/// <remarks>
/// Measured on 2 cores (<c>load latency --rate 500</c>, QoS 1 ping-pong at 500/s): the broker used 21-26% of a core
/// with pool hops, 5-6% without; round trip p50 0.37 ms to 0.23-0.29 ms. Code on those threads must not wait for I/O:
/// the MQTT loops send and receive without blocking and move to the pool when busy (<c>ReadTurn.MaxInARow</c>), Kestrel
/// (WebSocket, TLS, admin) keeps dispatching its application code to the pool (its UnsafePreferInlineScheduling stays
/// off), Orleans hands received messages to the pool, grain calls resume on the pool, and the console log drops lines
/// rather than wait when its queue is full. The runtime reads the switch once, when the first socket starts
/// asynchronous I/O, so it is set first thing in Main. An operator's <c>DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS=0</c>
/// keeps the pool hops.
/// </remarks>
internal static class SocketEventThreads
{
    /// <summary>The runtime's switch (System.Net.Sockets, SocketAsyncEngine on Linux and macOS).</summary>
    public const string Variable = "DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS";

    /// <summary>Turns the switch on unless the environment set it.</summary>
    public static void ServeInline()
    {
        if (Environment.GetEnvironmentVariable(Variable) is null)
        {
            Environment.SetEnvironmentVariable(Variable, "1");
        }
    }
}
