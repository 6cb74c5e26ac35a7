namespace RobustMq.Protocol.Tests.Codec.Support;

/// <summary>Golden bytes are written as spaced hex, the way the spec tables show them.</summary>
internal static class Hex
{
    public static byte[] Bytes(string hex) => Convert.FromHexString(hex.Replace(" ", "", StringComparison.Ordinal));

    public static string Of(ReadOnlySpan<byte> bytes) => Convert.ToHexString(bytes);
}
