namespace RobustMq.Storage;

/// <summary>A <see cref="StorageSyncMode"/> with its interval (Periodic only). Text form: <c>Always</c>, <c>Periodic:100</c> (ms), <c>None</c>.</summary>
public sealed record StorageSync(StorageSyncMode Mode, TimeSpan Interval)
{
    public static readonly StorageSync Always = new(StorageSyncMode.Always, TimeSpan.Zero);
    public static readonly StorageSync None = new(StorageSyncMode.None, TimeSpan.Zero);
    public static readonly StorageSync Volatile = new(StorageSyncMode.Volatile, TimeSpan.Zero);

    public static StorageSync Periodic(TimeSpan interval) => new(StorageSyncMode.Periodic, interval);

    /// <summary>Whether a completed write survives a crash of the broker process.</summary>
    public bool SurvivesProcessCrash => Mode != StorageSyncMode.Volatile;

    /// <summary>Parses <c>Always</c>, <c>None</c> or <c>Periodic:N</c> (N ms, 1..60000); false for anything else.</summary>
    public static bool TryParse(string? text, out StorageSync sync)
    {
        sync = Always;
        if (string.Equals(text, "Always", StringComparison.OrdinalIgnoreCase))
        {
            return true;
        }

        if (string.Equals(text, "None", StringComparison.OrdinalIgnoreCase))
        {
            sync = None;
            return true;
        }

        const string prefix = "Periodic:";
        if (text is not null && text.StartsWith(prefix, StringComparison.OrdinalIgnoreCase)
            && int.TryParse(text.AsSpan(prefix.Length), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var ms)
            && ms is >= 1 and <= 60_000)
        {
            sync = Periodic(TimeSpan.FromMilliseconds(ms));
            return true;
        }

        return false;
    }

    public override string ToString() => Mode == StorageSyncMode.Periodic ? $"Periodic:{(long)Interval.TotalMilliseconds}" : Mode.ToString();
}
