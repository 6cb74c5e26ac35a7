using System.Net.Sockets;
using RobustMq.Protocol;

namespace RobustMq.Benchmarks.Load;

/// <summary>
/// The load generator's entry: <c>load &lt;scenario&gt; [options]</c>. Runs one scenario against a running broker and
/// prints exactly one JSON line on stdout (progress goes to stderr). Exit code 0 when it completed, 1 when it failed
/// or timed out (the JSON line says why in <c>error</c>), 2 for bad arguments, 3 when the hard stop fired.
/// </summary>
/// <remarks>
/// <code>
/// load connect --port 1883 --clients 10000 --inflight 100 --hold 5 --warmup-clients 2000 --broker-pid 1234
/// load fanin   --publishers 4 --subscribers 1 --qos 1 --payload 64 [--topic-per-publisher 1]
/// load fanout  --subscribers 1000 --qos 0
/// load shared  --publishers 4 --subscribers 4 --qos 1        ($share/g/topic with 4 members)
/// load latency --qos 1                                       (ping-pong between two clients)
/// load latency --qos 1 --rate 100 --hammer-connects 2000 --hammer-payload 1048576   (the same, beside abuse)
/// load topics  --topics 100000 --subscribers 10 --publishers 4
/// load subscribe --subscribers 4 --qos 1                     (route changes: SUBSCRIBE to SUBACK, one at a time per client)
/// load sessions --clients 100000 --session-expiry 86400 --inflight 200 (persistent sessions left behind)
/// load first-connect --timeout 60                           (when a starting broker first accepts a CONNECT)
/// common: --host 127.0.0.1 --port N [--subscriber-port N] --duration S --warmup S --version 4|5 --window 64 --timeout S
/// </code>
/// </remarks>
public static class LoadCommand
{
    private static readonly string[] Scenarios = ["connect", "fanin", "fanout", "shared", "latency", "topics", "subscribe", "sessions", "first-connect"];
    private static int s_printed;

    public static async Task<int> RunAsync(string[] args)
    {
        if (args.Length == 0 || Array.IndexOf(Scenarios, args[0]) < 0)
        {
            Console.Error.WriteLine($"usage: robustmq-bench load <{string.Join('|', Scenarios)}> [--host H] [--port N] [--subscriber-port N] [--duration S] " +
                                    "[--warmup S] [--qos Q] [--payload B] [--clients N] [--inflight H] [--publishers P] " +
                                    "[--subscribers S] [--version 4|5] [--window W] [--topics T] [--topic-per-publisher 0|1] " +
                                    "[--hold S] [--warmup-clients N] [--session-expiry S] [--count N] [--broker-pid PID] [--max-ahead D] [--timeout S]");
            return 2;
        }

        var scenario = args[0];
        var options = LoadOptions.Parse(args.AsSpan(1));
        if (options is null || !Validate(scenario, options))
        {
            return 2;
        }

        // Thousands of read loops on two cores: don't wait for the pool's slow thread injection after a burst.
        ThreadPool.GetMinThreads(out var workers, out var io);
        ThreadPool.SetMinThreads(Math.Max(workers, 32), io);
        // LOAD_RUN_ID names the run's topics and client ids (lg/<id>/...) when a script must know them beforehand
        // (compare.sh registers lg/<id>/fanin for topic metrics); otherwise a random one.
        var runId = Environment.GetEnvironmentVariable("LOAD_RUN_ID") is { Length: > 0 } given ? given : Guid.NewGuid().ToString("N")[..8];
        var result = new LoadResult(scenario)
            .Set("version", options.Version == MqttProtocolVersion.V500 ? 5 : 4)
            .Set("qos", (int)options.QoS).Set("payload", options.PayloadSize)
            .Set("duration_s", options.DurationSeconds).Set("warmup_s", options.WarmupSeconds);

        // The hard stop: if cancellation itself hangs (a stuck socket), print what we have and leave.
        using var hardStop = new Timer(
            _ =>
            {
                result.Fail($"hard stop: the scenario did not end within {options.TimeoutSeconds + 20} s");
                Print(result);
                Environment.Exit(3);
            },
            null,
            TimeSpan.FromSeconds(options.TimeoutSeconds + 20),
            Timeout.InfiniteTimeSpan);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(options.TimeoutSeconds));
        try
        {
            var token = timeout.Token;
            await (scenario switch
            {
                "connect" => ConnectScenario.RunAsync(options, runId, result, token),
                "sessions" => SessionsScenario.RunAsync(options, runId, result, token),
                "first-connect" => SessionsScenario.FirstConnectAsync(options, runId, result, token),
                "latency" => LatencyScenario.RunAsync(options, runId, result, token),
                "subscribe" => SubscribeScenario.RunAsync(options, runId, result, token),
                "fanin" => FlowScenario.RunAsync(options, FlowPlan.FanIn($"lg/{runId}", options), runId, result, token),
                "fanout" => FlowScenario.RunAsync(options, FlowPlan.FanOut($"lg/{runId}", options), runId, result, token),
                "shared" => FlowScenario.RunAsync(options, FlowPlan.Shared($"lg/{runId}", options), runId, result, token),
                _ => FlowScenario.RunAsync(options, FlowPlan.Topics($"lg/{runId}", options), runId, result, token),
            });
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested)
        {
            result.Fail($"timed out after {options.TimeoutSeconds} s");
        }
        catch (Exception e) when (e is LoadException or SocketException or IOException or TimeoutException or MqttProtocolException)
        {
            result.Fail(e.Message);
        }

        Print(result);
        return result.Error is null ? 0 : 1;
    }

    private static bool Validate(string scenario, LoadOptions options)
    {
        if (scenario == "topics" && (options.Publishers > options.Topics || options.Subscribers > options.Topics))
        {
            Console.Error.WriteLine("load: topics needs --publishers and --subscribers no larger than --topics");
            return false;
        }

        return true;
    }

    private static void Print(LoadResult result)
    {
        if (Interlocked.Exchange(ref s_printed, 1) == 0)
        {
            Console.Out.WriteLine(result.ToJson());
            Console.Out.Flush();
        }
    }
}
