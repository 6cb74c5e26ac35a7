using System.Net;
using RobustMq.Gateway.Security.Blacklist;

namespace RobustMq.Gateway.Tests.Security.Blacklist;

public sealed class BanListTests
{
    private const long Now = 1_000_000;

    private static Ban B(string kind, string value, long? until = null) => new(kind, value, "test", until, 0);

    [Fact]
    public void Each_kind_covers_what_it_names_and_nothing_else()
    {
        var list = new BanList([B(Ban.ClientId, "bad-id"), B(Ban.UserName, "mallory"), B(Ban.PeerHost, "10.1.0.0/16"), B(Ban.PeerHost, "2001:db8::1"),
            B(Ban.ClientIdPattern, "^bot-[0-9]+$"), B(Ban.UserNamePattern, "guest")]);
        Assert.Equal(6, list.Count);
        Assert.Equal(Ban.ClientId, list.Match("bad-id", null, null, Now)?.Kind);
        Assert.Null(list.Match("bad-id2", null, null, Now));
        Assert.Equal(Ban.UserName, list.Match("c", "mallory", null, Now)?.Kind);
        Assert.Equal(Ban.PeerHost, list.Match("c", null, IPAddress.Parse("10.1.200.3"), Now)?.Kind);
        Assert.Equal(Ban.PeerHost, list.Match("c", null, IPAddress.Parse("::ffff:10.1.0.9"), Now)?.Kind);
        Assert.Null(list.Match("c", null, IPAddress.Parse("10.2.0.1"), Now));
        Assert.Equal(Ban.PeerHost, list.Match("c", null, IPAddress.Parse("2001:db8::1"), Now)?.Kind);
        Assert.Null(list.Match("c", null, IPAddress.Parse("2001:db8::2"), Now));
        Assert.Equal(Ban.ClientIdPattern, list.Match("bot-42", null, null, Now)?.Kind);
        Assert.Null(list.Match("bot-42x", null, null, Now));
        Assert.Equal(Ban.UserNamePattern, list.Match("c", "a-guest-user", null, Now)?.Kind);
        Assert.Null(list.Match("c", "alice", IPAddress.Loopback, Now));
    }

    [Fact]
    public void A_ban_that_has_ended_covers_nobody()
    {
        var list = new BanList([B(Ban.ClientId, "x", until: Now), B(Ban.ClientId, "y", until: Now + 1)]);
        Assert.Null(list.Match("x", null, null, Now));
        Assert.NotNull(list.Match("y", null, null, Now));
    }

    [Theory]
    [InlineData("clientid", "", "value must not be empty")]
    [InlineData("ip", "1.2.3.4", "kind must be one of")]
    [InlineData("peerhost", "1.2.3.400", "is not an IP address or CIDR block")]
    [InlineData("peerhost", "10.0.0.0/33", "is not an IP address or CIDR block")]
    [InlineData("clientid_re", "([a-z", "is not a regular expression")]
    [InlineData("clientid_re", "(?=a)b", "is not a regular expression this broker runs")]
    [InlineData("clientid", "a\0b", "without U+0000")]
    public void A_ban_that_makes_no_sense_is_named_and_left_out_of_a_list(string kind, string value, string problem)
    {
        Assert.Contains(problem, Ban.Problem(kind, value), StringComparison.Ordinal);
        Assert.Equal(0, new BanList([new Ban(kind, value, null, null, 0)]).Count);
    }

    [Fact]
    public void A_ban_round_trips_through_its_record_and_a_bad_record_is_a_format_error()
    {
        var ban = new Ban(Ban.PeerHost, "192.168.0.0/24", "scanner", 123, 45);
        Assert.Equal(ban, Ban.Decode(ban.Encode()));
        Assert.Equal("peerhost/192.168.0.0/24", ban.Key);
        Assert.Throws<FormatException>(() => Ban.Decode("{\"kind\":\"nope\",\"value\":\"x\"}"u8));
        Assert.Throws<FormatException>(() => Ban.Decode("]"u8));
    }

    [Theory]
    [InlineData("127.0.0.1:1883", "127.0.0.1")]
    [InlineData("[::1]:5000", "::1")]
    [InlineData("not an endpoint", null)]
    [InlineData(null, null)]
    public void The_peer_address_is_read_from_the_remote_end_point(string? endPoint, string? address)
    {
        Assert.Equal(address, BlacklistService.PeerAddress(endPoint)?.ToString());
    }
}
