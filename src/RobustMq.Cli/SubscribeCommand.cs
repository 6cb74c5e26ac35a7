using System.CommandLine;
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Threading.Channels;
using MQTTnet;
using MQTTnet.Adapter;
using MQTTnet.Exceptions;
using MQTTnet.Protocol;

namespace RobustMq.Cli;

/// <summary>
/// <c>robust-ctl mqtt subscribe --topic F [--qos Q] [--count N] [--timeout S] [--mqtt-server host:port]
/// [--username U --password P] [--client-id ID]</c>: an MQTT 5 client (MQTTnet) that subscribes and prints each message
/// as a line, <c>topic payload</c> (table) or <c>{"topic", "payload", "payload_encoding", "qos", "retain"}</c> (json; a
/// payload that is not UTF-8 in base64). Exits 0 after <c>--count</c> messages (none given: when <c>--timeout</c>, counted from the subscription, ends,
/// or on Ctrl+C); 1 when the broker refuses the CONNECT (the CONNACK's reason code is printed) or the subscription, when
/// <c>--timeout</c> ends before <c>--count</c>, or when the broker ends the connection with a DISCONNECT (kicked,
/// taken over; its reason code is printed); 3 when it cannot be reached or the connection is lost; 130 on Ctrl+C
/// before <c>--count</c> messages came.
/// </summary>
internal static class SubscribeCommand
{
    public static Command Build()
    {
        var topic = new Option<string[]>("--topic") { Description = "a topic filter (repeat for more)", Required = true, AllowMultipleArgumentsPerToken = true };
        var qos = new Option<int>("--qos") { Description = "0, 1 or 2", DefaultValueFactory = _ => 0 };
        qos.AcceptOnlyFromAmong("0", "1", "2");
        var count = new Option<int>("--count") { Description = "exit after this many messages (0: no limit)", DefaultValueFactory = _ => 0 };
        var timeout = new Option<int>("--timeout") { Description = "exit this many seconds after subscribing (0: no limit)", DefaultValueFactory = _ => 0 };
        var server = new Option<string>("--mqtt-server") { Description = "the broker's MQTT listener, host:port; also ROBUSTMQ_MQTT_SERVER", DefaultValueFactory = _ => Environment.GetEnvironmentVariable("ROBUSTMQ_MQTT_SERVER") ?? "127.0.0.1:1883" };
        var userName = new Option<string>("--username") { Description = "the MQTT user name" };
        var password = new Option<string>("--password") { Description = "its password" };
        var clientId = new Option<string>("--client-id") { Description = "the client id (default: robust-ctl-sub- and random digits)" };
        var subscribe = new Command("subscribe", "Subscribe as an MQTT client and print the messages") { topic, qos, count, timeout, server, userName, password, clientId };
        subscribe.Validators.Add(result =>
        {
            if (result.GetValue(count) < 0 || result.GetValue(timeout) < 0)
            {
                result.AddError("--count and --timeout are 0 or more");
            }

            if (!TryEndPoint(result.GetValue(server)!, out _, out _))
            {
                result.AddError($"--mqtt-server '{result.GetValue(server)}' is not host:port");
            }
        });
        subscribe.SetAction(async (parse, cancellationToken) =>
        {
            TryEndPoint(parse.GetValue(server)!, out var host, out var port);
            var options = new MqttClientOptionsBuilder()
                .WithTcpServer(host, port)
                .WithClientId(parse.GetValue(clientId) ?? "robust-ctl-sub-" + Random.Shared.Next(1_000_000, 9_999_999).ToString(CultureInfo.InvariantCulture))
                .WithProtocolVersion(MQTTnet.Formatter.MqttProtocolVersion.V500)
                .WithCleanStart()
                .WithTimeout(TimeSpan.FromSeconds(10));
            if (parse.GetValue(userName) is { } user)
            {
                options.WithCredentials(user, parse.GetValue(password) ?? "");
            }

            var json = parse.GetValue<string>("--output") == "json";
            return await RunAsync(options.Build(), parse.GetValue(topic)!, (MqttQualityOfServiceLevel)parse.GetValue(qos), parse.GetValue(count), parse.GetValue(timeout), json,
                parse.InvocationConfiguration.Output, parse.InvocationConfiguration.Error, cancellationToken);
        });
        return subscribe;
    }

    private static async Task<int> RunAsync(
        MqttClientOptions options, string[] filters, MqttQualityOfServiceLevel qos, int count, int timeoutSeconds, bool json, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        using var client = new MqttClientFactory().CreateMqttClient();
        var messages = Channel.CreateUnbounded<MqttApplicationMessage>();
        client.ApplicationMessageReceivedAsync += e =>
        {
            messages.Writer.TryWrite(e.ApplicationMessage);
            return Task.CompletedTask;
        };
        // The connection's end, once connected: a server DISCONNECT (no exception) or a lost connection.
        var ended = new TaskCompletionSource<MqttClientDisconnectedEventArgs>(TaskCreationOptions.RunContinuationsAsynchronously);
        client.DisconnectedAsync += e =>
        {
            if (e.ClientWasConnected)
            {
                ended.TrySetResult(e);
            }

            return Task.CompletedTask;
        };
        // --timeout counts from the subscription; connecting has the client's own timeout (10 s).
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        try
        {
            var connected = await client.ConnectAsync(options, deadline.Token);
            if (connected.ResultCode != MqttClientConnectResultCode.Success)
            {
                await error.WriteLineAsync($"robust-ctl: the broker refused the CONNECT: {connected.ResultCode} (0x{(int)connected.ResultCode:X2}) {connected.ReasonString}");
                return Ctl.Refused;
            }

            var request = new MqttClientSubscribeOptionsBuilder();
            foreach (var filter in filters)
            {
                request.WithTopicFilter(filter, qos);
            }

            var subscribed = await client.SubscribeAsync(request.Build(), deadline.Token);
            if (subscribed.Items.FirstOrDefault(i => (int)i.ResultCode >= 0x80) is { } refused)
            {
                await error.WriteLineAsync($"robust-ctl: the broker refused '{refused.TopicFilter.Topic}': {refused.ResultCode}");
                return Ctl.Refused;
            }
        }
        catch (MqttConnectingFailedException ex)
        {
            // The TCP connection was made and the MQTT handshake failed (a CONNACK that refuses, or the connection closed
            // instead of one): the broker answered, and did not take the client.
            await error.WriteLineAsync($"robust-ctl: the broker refused the CONNECT: {ex.Message}");
            return Ctl.Refused;
        }
        catch (MqttCommunicationException ex)
        {
            await error.WriteLineAsync($"robust-ctl: the MQTT server cannot be reached: {ex.Message}");
            return Ctl.Unreachable;
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            await error.WriteLineAsync("robust-ctl: the MQTT server did not answer in time");
            return Ctl.Unreachable;
        }

        if (timeoutSeconds > 0)
        {
            deadline.CancelAfter(TimeSpan.FromSeconds(timeoutSeconds));
        }

        var received = 0;
        // A message that came before the connection ended is printed first.
        _ = ended.Task.ContinueWith(_ => messages.Writer.TryComplete(), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        try
        {
            while (count == 0 || received < count)
            {
                if (!await messages.Reader.WaitToReadAsync(deadline.Token))
                {
                    return await EndedAsync(await ended.Task, received, error);
                }

                var message = await messages.Reader.ReadAsync(deadline.Token);
                received++;
                await output.WriteLineAsync(Line(message, json));
                await output.FlushAsync(CancellationToken.None);
            }
        }
        catch (OperationCanceledException) when (deadline.IsCancellationRequested)
        {
            if (count > 0 && cancellationToken.IsCancellationRequested)
            {
                await error.WriteLineAsync($"robust-ctl: interrupted after {received} of {count} messages");
                return Interrupted;
            }

            if (count > 0)
            {
                await error.WriteLineAsync($"robust-ctl: --timeout ended after {received} of {count} messages");
                return Ctl.Refused;
            }
        }
        finally
        {
            if (client.IsConnected)
            {
                await client.DisconnectAsync(new MqttClientDisconnectOptions(), CancellationToken.None);
            }
        }

        return 0;
    }

    /// <summary>The exit code of Ctrl+C before <c>--count</c> messages came (128 + SIGINT, as a shell reports it).</summary>
    private const int Interrupted = 130;

    /// <summary>Says how the connection ended: 1 for a server DISCONNECT (kicked, taken over), 3 for a lost connection.</summary>
    private static async Task<int> EndedAsync(MqttClientDisconnectedEventArgs e, int received, TextWriter error)
    {
        if (e.Exception is null)
        {
            await error.WriteLineAsync($"robust-ctl: the broker ended the connection after {received} messages: {e.Reason} (0x{(int)e.Reason:X2}) {e.ReasonString}");
            return Ctl.Refused;
        }

        await error.WriteLineAsync($"robust-ctl: the connection was lost after {received} messages: {e.Exception.Message}");
        return Ctl.Unreachable;
    }

    private static string Line(MqttApplicationMessage message, bool json)
    {
        var bytes = System.Buffers.BuffersExtensions.ToArray(message.Payload);
        string? text;
        try
        {
            text = new UTF8Encoding(false, true).GetString(bytes);
        }
        catch (DecoderFallbackException)
        {
            text = null;
        }

        return json
            ? JsonSerializer.Serialize(new
            {
                topic = message.Topic,
                payload = text ?? Convert.ToBase64String(bytes),
                payload_encoding = text is null ? "base64" : "plain",
                qos = (int)message.QualityOfServiceLevel,
                retain = message.Retain,
            })
            : $"{message.Topic} {text ?? Convert.ToBase64String(bytes)}";
    }

    private static bool TryEndPoint(string text, out string host, out int port)
    {
        var colon = text.LastIndexOf(':');
        host = colon > 0 ? text[..colon].Trim('[', ']') : "";
        port = 0;
        return colon > 0 && int.TryParse(text.AsSpan(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture, out port) && port is > 0 and < 65536;
    }
}
