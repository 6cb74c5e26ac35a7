using System.Buffers.Binary;
using System.Security.Cryptography;

namespace RobustMq.Abstractions.Messages;

/// <summary>
/// Unique message ids (<see cref="BrokerMessage.MessageId"/>), as EMQX gives each publication a GUID: 64 random bits
/// drawn once per process, then a 64-bit counter. Unique across the processes of a cluster and its restarts (a collision
/// needs two processes to draw the same 64 bits), without a random draw or lock per message.
/// </summary>
public static class MessageIds
{
    private static readonly long Process = BinaryPrimitives.ReadInt64LittleEndian(RandomNumberGenerator.GetBytes(8));
    private static long s_next;

    /// <summary>A new id, never <see cref="Guid.Empty"/>.</summary>
    public static Guid New()
    {
        Span<byte> bytes = stackalloc byte[16];
        BinaryPrimitives.WriteInt64LittleEndian(bytes, Process);
        BinaryPrimitives.WriteInt64LittleEndian(bytes[8..], Interlocked.Increment(ref s_next));
        return new Guid(bytes);
    }
}
