using System.Text.Json;

namespace RobustMq.Gateway.Security;

/// <summary>Reads a record the security stores keep as JSON (users, bans).</summary>
internal static class JsonRecord
{
    /// <summary>The <typeparamref name="T"/> in <paramref name="value"/>, when <paramref name="valid"/> says it makes sense.</summary>
    /// <exception cref="FormatException">Not JSON, or not a <paramref name="what"/> record.</exception>
    public static T Decode<T>(ReadOnlySpan<byte> value, Func<T, bool> valid, string what)
        where T : class
    {
        try
        {
            return JsonSerializer.Deserialize<T>(value) is { } record && valid(record) ? record : throw new FormatException($"not a {what} record");
        }
        catch (JsonException ex)
        {
            throw new FormatException($"not a {what} record: {ex.Message}", ex);
        }
    }
}
