using System.Text;
using RobustMq.Storage.Segment;

namespace RobustMq.Storage.Tests.Segment;

/// <summary>CRC-32C against the published check value and the RFC 3720 (iSCSI) vectors.</summary>
public sealed class Crc32CTests
{
    public static TheoryData<byte[], uint> Vectors => new()
    {
        { Encoding.ASCII.GetBytes("123456789"), 0xE3069283 },
        { new byte[32], 0x8A9136AA },
        { Enumerable.Repeat((byte)0xFF, 32).ToArray(), 0x62A8AB43 },
        { Enumerable.Range(0, 32).Select(i => (byte)i).ToArray(), 0x46DD794E },
        { Enumerable.Range(0, 32).Select(i => (byte)(31 - i)).ToArray(), 0x113FDB5C },
        { [], 0x00000000 },
    };

    [Theory]
    [MemberData(nameof(Vectors))]
    public void Known_vectors_give_their_published_crc(byte[] data, uint expected)
    {
        Assert.Equal(expected, Crc32C.Compute(data));
        Assert.Equal(expected, Crc32C.ComputeWithTable(data));
    }

    [Fact]
    public void The_hardware_path_agrees_with_the_table_at_every_length()
    {
        var data = new byte[300];
        new Random(3).NextBytes(data);

        for (var length = 0; length <= data.Length; length++)
        {
            Assert.Equal(Crc32C.ComputeWithTable(data.AsSpan(0, length)), Crc32C.Compute(data.AsSpan(0, length)));
        }
    }
}
