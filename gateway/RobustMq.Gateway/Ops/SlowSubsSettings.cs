using System.Text.Json;
using System.Text.Json.Serialization;

namespace RobustMq.Gateway.Ops;

/// <summary>
/// Slow subscriptions' settings (EMQX's <c>slow_subs</c>; RobustMQ's <c>[mqtt_runtime.slow_subscribe]</c>): whether
/// they are measured, from how many milliseconds a delivery counts as slow, how many of the slowest are kept per node
/// (top K), and how long one is kept after its last slow delivery. The <c>SlowSubs</c> section gives them at start;
/// <c>PUT /api/v1/slow_subscriptions/settings</c> stores them (<see cref="IOpsStore.SettingsSpace"/>, key
/// <see cref="Key"/>) for every node.
/// </summary>
[GenerateSerializer, Immutable, Alias("robustmq.slowsubssettings")]
public sealed record SlowSubsSettings(
    [property: Id(0), JsonPropertyName("enable")] bool Enable,
    [property: Id(1), JsonPropertyName("threshold_ms")] long ThresholdMs,
    [property: Id(2), JsonPropertyName("top_k")] int TopK,
    [property: Id(3), JsonPropertyName("expire_interval_s")] long ExpireIntervalSeconds)
{
    /// <summary>The settings' key in <see cref="IOpsStore.SettingsSpace"/>.</summary>
    public const string Key = "slow_subs";

    public byte[] Encode() => JsonSerializer.SerializeToUtf8Bytes(this);

    /// <exception cref="FormatException">Not settings.</exception>
    public static SlowSubsSettings Decode(byte[] value)
    {
        try
        {
            return JsonSerializer.Deserialize<SlowSubsSettings>(value) ?? throw new FormatException("not slow subscriptions settings");
        }
        catch (JsonException ex)
        {
            throw new FormatException("not slow subscriptions settings: " + ex.Message, ex);
        }
    }

    /// <summary>What is wrong, naming the field with <paramref name="prefix"/> (<c>SlowSubs:</c> for configuration, empty for the API); null when nothing.</summary>
    public string? Problem(string prefix = "")
    {
        if (ThresholdMs is < 1 or > 3_600_000)
        {
            return $"{prefix}{(prefix.Length == 0 ? "threshold_ms" : "ThresholdMs")} must be 1-3600000 (got {ThresholdMs})";
        }

        if (TopK is < 1 or > 1000)
        {
            return $"{prefix}{(prefix.Length == 0 ? "top_k" : "TopK")} must be 1-1000 (got {TopK})";
        }

        if (ExpireIntervalSeconds is < 1 or > 86_400 * 30)
        {
            return $"{prefix}{(prefix.Length == 0 ? "expire_interval_s" : "ExpireIntervalSeconds")} must be 1-2592000 (got {ExpireIntervalSeconds})";
        }

        return null;
    }
}
