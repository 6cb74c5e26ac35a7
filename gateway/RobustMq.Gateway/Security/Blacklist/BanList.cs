using System.Net;
using System.Text.RegularExpressions;

namespace RobustMq.Gateway.Security.Blacklist;

/// <summary>
/// The bans a node checks CONNECTs against: exact client ids and user names by hash lookup, address blocks and patterns
/// in order. Immutable: a change builds a new list (<see cref="BlacklistService"/>), so checks take no lock.
/// </summary>
public sealed class BanList
{
    /// <summary>How long one regular expression may run on one value before the ban is taken not to match.</summary>
    public static readonly TimeSpan PatternTimeout = TimeSpan.FromMilliseconds(50);

    private readonly Dictionary<string, Ban> _clientIds = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Ban> _userNames = new(StringComparer.Ordinal);
    private readonly List<(IPNetwork Network, Ban Ban)> _networks = [];
    private readonly List<(Regex Pattern, Ban Ban)> _clientIdPatterns = [];
    private readonly List<(Regex Pattern, Ban Ban)> _userNamePatterns = [];

    public static BanList Empty { get; } = new([]);

    /// <summary>A list of <paramref name="bans"/>; a ban that does not make sense (<see cref="Ban.Problem"/>) is left out.</summary>
    public BanList(IEnumerable<Ban> bans)
    {
        ArgumentNullException.ThrowIfNull(bans);
        foreach (var ban in bans)
        {
            if (Ban.Problem(ban.Kind, ban.Value) is not null)
            {
                continue;
            }

            switch (ban.Kind)
            {
                case Ban.ClientId:
                    _clientIds[ban.Value] = ban;
                    break;
                case Ban.UserName:
                    _userNames[ban.Value] = ban;
                    break;
                case Ban.PeerHost:
                    _networks.Add((IPNetwork.TryParse(ban.Value, out var network) ? network : new IPNetwork(IPAddress.Parse(ban.Value), IPAddress.Parse(ban.Value).GetAddressBytes().Length * 8), ban));
                    break;
                case Ban.ClientIdPattern:
                    _clientIdPatterns.Add((Compile(ban.Value), ban));
                    break;
                case Ban.UserNamePattern:
                    _userNamePatterns.Add((Compile(ban.Value), ban));
                    break;
            }

            Count++;
        }
    }

    /// <summary>The bans in the list.</summary>
    public int Count { get; }

    /// <summary>A pattern as bans use it: no backtracking (no catastrophic input), culture-invariant, bounded by <see cref="PatternTimeout"/>.</summary>
    /// <exception cref="ArgumentException">Not a regular expression (or one the non-backtracking engine cannot run).</exception>
    /// <remarks>
    /// The pattern is run twice before it is returned: a NonBacktracking regex builds its automaton and has its code
    /// compiled at its first matches, which on a busy node took longer than <see cref="PatternTimeout"/>, so the first
    /// CONNECT after a ban was let through as "no match".
    /// </remarks>
    public static Regex Compile(string pattern)
    {
        var regex = new Regex(pattern, RegexOptions.NonBacktracking | RegexOptions.CultureInvariant, PatternTimeout);
        for (var i = 0; i < 2; i++)
        {
            try
            {
                regex.IsMatch("warm-up/client-0");
            }
            catch (RegexMatchTimeoutException)
            {
                // Only the work done is wanted.
            }
        }

        return regex;
    }

    /// <summary>
    /// The first ban, in <see cref="Ban.Kinds"/> order, that covers a client with <paramref name="clientId"/>,
    /// <paramref name="userName"/> (null when none) and <paramref name="peer"/> (null when unknown) and has not ended
    /// at <paramref name="nowUnixMs"/>; null when none does.
    /// </summary>
    public Ban? Match(string clientId, string? userName, IPAddress? peer, long nowUnixMs)
    {
        if (Count == 0)
        {
            return null;
        }

        if (_clientIds.TryGetValue(clientId, out var ban) && !ban.HasEnded(nowUnixMs))
        {
            return ban;
        }

        if (userName is not null && _userNames.TryGetValue(userName, out ban) && !ban.HasEnded(nowUnixMs))
        {
            return ban;
        }

        if (peer is not null)
        {
            var address = peer.IsIPv4MappedToIPv6 ? peer.MapToIPv4() : peer;
            foreach (var (network, byAddress) in _networks)
            {
                if (network.Contains(address) && !byAddress.HasEnded(nowUnixMs))
                {
                    return byAddress;
                }
            }
        }

        return MatchPattern(_clientIdPatterns, clientId, nowUnixMs) ?? (userName is null ? null : MatchPattern(_userNamePatterns, userName, nowUnixMs));
    }

    private static Ban? MatchPattern(List<(Regex Pattern, Ban Ban)> patterns, string value, long nowUnixMs)
    {
        foreach (var (pattern, ban) in patterns)
        {
            try
            {
                if (!ban.HasEnded(nowUnixMs) && pattern.IsMatch(value))
                {
                    return ban;
                }
            }
            catch (RegexMatchTimeoutException)
            {
                // Taken not to match: a slow pattern must not hold a CONNECT up.
            }
        }

        return null;
    }
}
