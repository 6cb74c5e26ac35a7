using System.Buffers.Binary;
using System.Runtime.Intrinsics.X86;
using ArmCrc32 = System.Runtime.Intrinsics.Arm.Crc32;

namespace RobustMq.Storage.Segment;

/// <summary>
/// CRC-32C (Castagnoli, reflected polynomial 0x82F63B78, initial value and final XOR 0xFFFFFFFF), the checksum of
/// every Segment log record. Uses the SSE4.2 or ARMv8 CRC instructions when the CPU has them, a 256-entry table
/// otherwise; all paths give the same value ("123456789" gives 0xE3069283).
/// </summary>
internal static class Crc32C
{
    private const uint Polynomial = 0x82F63B78;

    private static readonly uint[] Table = BuildTable();

    /// <summary>The CRC-32C of <paramref name="data"/>.</summary>
    public static uint Compute(ReadOnlySpan<byte> data) => ~Update(0xFFFFFFFF, data);

    /// <summary>The CRC-32C of <paramref name="data"/> computed with the table only (tests compare it with <see cref="Compute"/>).</summary>
    public static uint ComputeWithTable(ReadOnlySpan<byte> data) => ~UpdateTable(0xFFFFFFFF, data);

    private static uint Update(uint crc, ReadOnlySpan<byte> data)
    {
        if (Sse42.X64.IsSupported)
        {
            ulong crc64 = crc;
            while (data.Length >= 8)
            {
                crc64 = Sse42.X64.Crc32(crc64, BinaryPrimitives.ReadUInt64LittleEndian(data));
                data = data[8..];
            }

            crc = (uint)crc64;
            foreach (var b in data)
            {
                crc = Sse42.Crc32(crc, b);
            }

            return crc;
        }

        if (ArmCrc32.Arm64.IsSupported)
        {
            while (data.Length >= 8)
            {
                crc = ArmCrc32.Arm64.ComputeCrc32C(crc, BinaryPrimitives.ReadUInt64LittleEndian(data));
                data = data[8..];
            }

            foreach (var b in data)
            {
                crc = ArmCrc32.ComputeCrc32C(crc, b);
            }

            return crc;
        }

        return UpdateTable(crc, data);
    }

    private static uint UpdateTable(uint crc, ReadOnlySpan<byte> data)
    {
        var table = Table;
        foreach (var b in data)
        {
            crc = table[(crc ^ b) & 0xFF] ^ (crc >> 8);
        }

        return crc;
    }

    private static uint[] BuildTable()
    {
        var table = new uint[256];
        for (uint i = 0; i < 256; i++)
        {
            var c = i;
            for (var k = 0; k < 8; k++)
            {
                c = (c & 1) != 0 ? (c >> 1) ^ Polynomial : c >> 1;
            }

            table[i] = c;
        }

        return table;
    }
}
