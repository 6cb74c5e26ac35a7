using Microsoft.Extensions.Options;
using RobustMq.Abstractions.Options;

namespace RobustMq.Gateway.Hosting;

/// <summary>Start-up checks of the <c>Mqtt</c> section; each message names the key.</summary>
public sealed class MqttOptionsValidator : IValidateOptions<MqttOptions>
{
    public ValidateOptionsResult Validate(string? name, MqttOptions options)
    {
        var errors = new List<string>();
        Range(errors, "Mqtt:MaxKeepAlive", options.MaxKeepAlive, 1, 65535);
        Range(errors, "Mqtt:MaxPacketSize", options.MaxPacketSize, 64, 268_435_455);
        Range(errors, "Mqtt:ReceiveMaximum", options.ReceiveMaximum, 1, 65535);
        Range(errors, "Mqtt:MaxInflight", options.MaxInflight, 1, 65535);
        Range(errors, "Mqtt:MaxQueuedMessages", options.MaxQueuedMessages, 1, int.MaxValue);
        Range(errors, "Mqtt:TopicAliasMaximum", options.TopicAliasMaximum, 0, 65535);
        Range(errors, "Mqtt:MaximumQoS", options.MaximumQoS, 0, 2);
        Range(errors, "Mqtt:ConnectTimeoutSeconds", options.ConnectTimeoutSeconds, 1, 3600);
        Range(errors, "Mqtt:BackPressureTimeoutMs", options.BackPressureTimeoutMs, 0, 600_000);
        Range(errors, "Mqtt:MaxSubscriptions", options.MaxSubscriptions, 0, int.MaxValue);
        Range(errors, "Mqtt:MaxTopicLevels", options.MaxTopicLevels, 1, 65535);
        Range(errors, "Mqtt:MaxTopicLength", options.MaxTopicLength, 1, 65535);
        Range(errors, "Mqtt:MaxMessageRate", options.MaxMessageRate, 0, int.MaxValue);
        Range(errors, "Mqtt:MaxByteRate", options.MaxByteRate, 0, long.MaxValue);
        if (!Enum.IsDefined(options.RateExceeded))
        {
            errors.Add($"Mqtt:RateExceeded must be Throttle or Disconnect (got {options.RateExceeded})");
        }
        if (options.MaxSessionExpiry is < 0 or > uint.MaxValue)
        {
            errors.Add($"Mqtt:MaxSessionExpiry must be 0-{uint.MaxValue} (got {options.MaxSessionExpiry})");
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }

    private static void Range(List<string> errors, string key, long value, long min, long max)
    {
        if (value < min || value > max)
        {
            errors.Add($"{key} must be {min}-{max} (got {value})");
        }
    }
}
