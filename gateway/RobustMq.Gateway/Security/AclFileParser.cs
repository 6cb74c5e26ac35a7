using System.Globalization;
using RobustMq.Protocol.Topics;

namespace RobustMq.Gateway.Security;

/// <summary>Parses the ACL rules text format described on <see cref="AclRuleSet"/>.</summary>
internal static class AclFileParser
{
    private static readonly char[] Blanks = [' ', '\t'];

    public static AclRuleSet Parse(string text, string sourceName, bool noMatchAllow = true)
    {
        var rules = new List<AclRule>();
        bool? defaultAllow = null;
        var defaultLine = 0;

        using var reader = new StringReader(text);
        var lineNumber = 0;
        while (reader.ReadLine() is { } line)
        {
            lineNumber++;
            var fields = line.Split(Blanks, StringSplitOptions.RemoveEmptyEntries);
            if (fields.Length == 0 || fields[0].StartsWith('#'))
            {
                continue;
            }

            if (Is(fields[0], "default"))
            {
                if (defaultAllow is not null)
                {
                    throw Error(sourceName, lineNumber, $"duplicate 'default' line (first on line {defaultLine})");
                }

                defaultAllow = ParseDefault(fields, sourceName, lineNumber);
                defaultLine = lineNumber;
                continue;
            }

            rules.Add(ParseRule(fields, sourceName, lineNumber));
        }

        return new AclRuleSet([.. rules], defaultAllow ?? noMatchAllow);
    }

    private static bool ParseDefault(string[] fields, string source, int line)
    {
        if (fields.Length != 2 || !(Is(fields[1], "allow") || Is(fields[1], "deny")))
        {
            throw Error(source, line, "expected 'default allow' or 'default deny'");
        }

        return Is(fields[1], "allow");
    }

    private static AclRule ParseRule(string[] fields, string source, int line)
    {
        bool allow;
        if (Is(fields[0], "allow"))
        {
            allow = true;
        }
        else if (Is(fields[0], "deny"))
        {
            allow = false;
        }
        else
        {
            throw Error(source, line, $"unknown permission '{fields[0]}' (expected allow, deny or default)");
        }

        if (fields.Length < 2)
        {
            throw Error(source, line, "missing action (expected publish, subscribe or all)");
        }

        AclAction? action = fields[1] switch
        {
            _ when Is(fields[1], "publish") => AclAction.Publish,
            _ when Is(fields[1], "subscribe") => AclAction.Subscribe,
            _ when Is(fields[1], "all") => null,
            _ => throw Error(source, line, $"unknown action '{fields[1]}' (expected publish, subscribe or all)"),
        };

        if (fields.Length < 3)
        {
            throw Error(source, line, "missing topic filter");
        }

        // "eq <filter>": compared as text (EMQX's eq); the who part and conditions come after the filter. A rule for
        // the topic "eq" itself ("deny publish eq user=bob") keeps its meaning: what follows is a field, not a filter.
        var first = Is(fields[2], "eq") && fields.Length > 3 && !IsField(fields[3]) ? 4 : 3;
        var filter = AclConditions.Topic(first == 4 ? "eq " + fields[3] : fields[2], out var exact, out var problem)
            ?? throw Error(source, line, problem!.StartsWith("rule filter", StringComparison.Ordinal) ? problem : $"invalid topic filter '{fields[first - 1]}'");

        string? clientId = null, userName = null, who = null;
        byte? reason = null;
        System.Net.IPNetwork? peer = null;
        int? qos = null;
        bool? retain = null;
        for (var i = first; i < fields.Length; i++)
        {
            var field = fields[i];
            if (TryCondition(field, "ipaddr=", ref peer, AclConditions.Peer, source, line)
                || TryCondition(field, "qos=", ref qos, AclConditions.QoS, source, line)
                || TryCondition(field, "retain=", ref retain, AclConditions.Retain, source, line))
            {
                continue;
            }

            if (field.StartsWith("reason=", StringComparison.OrdinalIgnoreCase))
            {
                if (reason is not null)
                {
                    throw Error(source, line, $"more than one reason ('{field}')");
                }

                reason = ParseReason(field["reason=".Length..], allow, source, line);
                continue;
            }

            var isClient = field.StartsWith("client=", StringComparison.OrdinalIgnoreCase);
            var isUser = field.StartsWith("user=", StringComparison.OrdinalIgnoreCase);
            if (!isClient && !isUser && field != "*")
            {
                throw Error(source, line, $"unknown field '{field}' (expected client=<id>, user=<name>, *, ipaddr=<CIDR>, qos=<0,1,2>, retain=<true|false> or reason=0xNN)");
            }

            if (who is not null)
            {
                throw Error(source, line, $"more than one who part ('{who}' and '{field}')");
            }

            who = field;
            var value = field[(field.IndexOf('=', StringComparison.Ordinal) + 1)..];
            if ((isClient || isUser) && value.Length == 0)
            {
                throw Error(source, line, $"empty {(isClient ? "client id" : "user name")} in '{field}'");
            }

            if (isClient)
            {
                clientId = value;
            }
            else if (isUser)
            {
                userName = value;
            }
        }

        return new AclRule(allow, action, filter, clientId, userName, reason ?? (allow ? (byte)0x00 : AclDecision.NotAuthorized), line)
        {
            Peer = peer,
            QoS = qos,
            Retain = retain,
            Exact = exact,
        };
    }

    /// <summary>Reads a <c>name=value</c> condition into <paramref name="value"/>; false when <paramref name="field"/> is not one.</summary>
    private static bool TryCondition<T>(string field, string name, ref T? value, AclConditionReader<T> read, string source, int line)
        where T : struct
    {
        if (!field.StartsWith(name, StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        if (value is not null)
        {
            throw Error(source, line, $"more than one {name[..^1]} ('{field}')");
        }

        value = read(field[name.Length..], out var problem) ?? throw Error(source, line, $"{name[..^1]}: {problem}");
        return true;
    }

    private static byte ParseReason(string text, bool allow, string source, int line)
    {
        if (allow)
        {
            throw Error(source, line, "reason= only applies to deny rules");
        }

        if (text.Length is < 3 or > 4
            || !text.StartsWith("0x", StringComparison.OrdinalIgnoreCase)
            || !byte.TryParse(text.AsSpan(2), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var code)
            || code < 0x80)
        {
            throw Error(source, line, $"invalid reason code '{text}' (expected 0x80-0xFF)");
        }

        return code;
    }

    /// <summary>Whether <paramref name="text"/> is one of the fields after a rule's filter (<c>*</c> or <c>name=value</c>).</summary>
    private static bool IsField(string text) => text == "*" || text.Contains('=', StringComparison.Ordinal);

    private static bool Is(string field, string keyword) => string.Equals(field, keyword, StringComparison.OrdinalIgnoreCase);

    private static FormatException Error(string source, int line, string problem) => new($"{source} line {line}: {problem}");
}
