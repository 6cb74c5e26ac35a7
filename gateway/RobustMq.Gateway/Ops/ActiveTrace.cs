using System.Net;

namespace RobustMq.Gateway.Ops;

/// <summary>A trace running on this node: its spec, its address when it follows one, and its file.</summary>
public sealed class ActiveTrace(TraceSpec spec, TraceFile file)
{
    public TraceSpec Spec { get; } = spec;

    public TraceFile File { get; } = file;

    /// <summary>The address of an <c>ip_address</c> trace (IPv4-mapped addresses as IPv4), else null.</summary>
    public IPAddress? Address { get; } = spec.Type == TraceSpec.IpAddressType && IPAddress.TryParse(spec.Value, out var a) ? Plain(a) : null;

    internal static IPAddress Plain(IPAddress address) => address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address;
}
